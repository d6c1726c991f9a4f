import { characters } from './characters.ts';
import { create } from './create.ts';
import { search } from './search.ts';
import { task } from './task.ts';
import { tasks } from './tasks.ts';
import { usage } from './usage.ts';
import { video } from './video.ts';
import { videos } from './videos.ts';

/** Every command, in the order the usage lists them: a new command is its file and a line here. */
export const commands = [create, video, task, tasks, characters, videos, search, usage];
