export type { CallbackMode } from './callbacks.ts';
export type { Emulator, EmulatorCall, EmulatorOptions } from './emulator.ts';
export { startEmulator } from './emulator.ts';
export type { EmulatorRoute, StubbedReply } from './steering.ts';
export type { EmulatorOutcome, EmulatorTask, EmulatorTiming, ResultForm } from './tasks.ts';
