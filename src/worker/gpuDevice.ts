/**
 * The WebGPU device tf.js trains on: watches for its loss (a driver reset, another tab taking the GPU, or the
 * e2e test destroying it) so training can stop with an explanation instead of computing on a dead device.
 */
import * as tf from '@tensorflow/tfjs';

/** The part of a GPUDevice the studio uses. */
export interface GpuDeviceHandle {
  destroy(): void;
  lost: Promise<{ reason?: string; message?: string }>;
  limits?: { maxBufferSize?: number; maxStorageBufferBindingSize?: number };
}

function isDeviceHandle(d: unknown): d is GpuDeviceHandle {
  return typeof d === 'object' && d !== null && 'destroy' in d && typeof d.destroy === 'function' && 'lost' in d && d.lost instanceof Promise;
}

/** The device of tf.js's WebGPU backend, null on other backends. */
export function currentGpuDevice(): GpuDeviceHandle | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const backend: unknown = tf.backend();
  if (typeof backend !== 'object' || backend === null || !('device' in backend)) return null;
  return isDeviceHandle(backend.device) ? backend.device : null;
}

/** Remembers whether the current WebGPU device has been lost, and why. */
export class DeviceWatch {
  /** The loss message, null while the device is fine (or training runs elsewhere). */
  lost: string | null = null;
  private watched: GpuDeviceHandle | null = null;

  /** Starts watching the current backend's device (call after every backend switch). */
  watch(): void {
    const device = currentGpuDevice();
    this.lost = null;
    this.watched = device;
    if (device === null) return;
    void device.lost.then((info) => {
      if (this.watched === device) this.lost = info.message || info.reason || 'the device was destroyed';
    });
  }

  /**
   * Waits up to `ms` for the watched device to report a loss (a destroyed device fails pending reads before its
   * `lost` promise settles), then says whether it is lost.
   */
  async settle(ms: number): Promise<string | null> {
    const device = this.watched;
    if (device === null || this.lost !== null) return this.lost;
    await Promise.race([device.lost, new Promise((resolve) => setTimeout(resolve, ms))]);
    await Promise.resolve();
    return this.lost;
  }

  /** Throws while the watched device is lost. */
  check(): void {
    if (this.lost !== null) throw new Error(`GPU device lost: ${this.lost}`);
  }
}
