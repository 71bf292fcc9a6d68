// The entry point of a thread Worker of a threaded guest (threads.js).
import { selfPort } from './env.js';
import { runThreadWorker } from './threads.js';

runThreadWorker(selfPort());
