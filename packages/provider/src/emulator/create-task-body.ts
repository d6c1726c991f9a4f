import type { TaskModel } from '../models/define-model.ts';

/** A createTask body the emulator accepted, with the plugin of its model. */
export interface CreateTaskBody {
  model: string;
  callBackUrl?: string | undefined;
  input: Record<string, unknown>;
  plugin: TaskModel;
}
