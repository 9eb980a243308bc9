// Control-queue routing: FNV-1a 32-bit over the UTF-8 bytes of the raw instance id, modulo the
// partition count (DurableTask.AzureStorage `Fnv1aHashHelper`, `GetControlQueueAsync`).
import { controlQueueName } from './names';

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

export function partitionIndex(instanceId: string, partitionCount: number): number {
  return fnv1a32(instanceId) % partitionCount;
}

export function controlQueueFor(hubName: string, instanceId: string, partitionCount: number): string {
  return controlQueueName(hubName, partitionIndex(instanceId, partitionCount));
}
