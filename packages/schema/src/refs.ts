import type { CharacterRow, TaskRow } from '@charanim/db';
import { builder } from './builder.ts';

// Declared apart from their fields because a task names its character and a character its task.
export const Task = builder.objectRef<TaskRow>('Task');
export const Character = builder.objectRef<CharacterRow>('Character');
