export type { CallbackCounts, CallbackMode } from './callbacks.ts';
export type { Emulator, EmulatorCall, EmulatorOptions } from './emulator.ts';
export { startEmulator } from './emulator.ts';
export type { InjectedFaults } from './faults.ts';
export type { EmulatorFaults } from './faults-options.ts';
export { parseFaultsJson } from './faults-options.ts';
export type { EmulatorStats, EmulatorTaskListing } from './introspection.ts';
export type { EmulatorRoute, StubbedReply } from './steering.ts';
export type { EmulatorOutcome, EmulatorTask, EmulatorTiming, ResultForm } from './tasks.ts';
