import type { EmulatorCall, EmulatorTaskListing } from '@charanim/provider/emulator';

/** Every task an emulator process accepted, as `GET /emulator/tasks` lists them. */
export async function emulatorTasks(url: string): Promise<EmulatorTaskListing[]> {
  return ((await getJson(`${url}/emulator/tasks`)) as { tasks: EmulatorTaskListing[] }).tasks;
}

/** Every call an emulator process received, as `GET /emulator/calls` lists them. */
export async function emulatorCalls(url: string): Promise<EmulatorCall[]> {
  return ((await getJson(`${url}/emulator/calls`)) as { calls: EmulatorCall[] }).calls;
}

async function getJson(url: string): Promise<unknown> {
  return (await fetch(url)).json();
}
