import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
(window as unknown as { tf: typeof tf }).tf = tf;
document.getElementById('status')!.textContent = 'ready';
