import type { CharacterRow, TaskRow, VideoRow } from '@charanim/tasks';
import { builder } from './builder.ts';

// Declared apart from their fields because tasks, characters and videos name each other.
export const Task = builder.objectRef<TaskRow>('Task');
export const Character = builder.objectRef<CharacterRow>('Character');
export const Video = builder.objectRef<VideoRow>('Video');
