import type { FileSource } from '../../../core/pipeline/contracts';

/** An in-memory FileSource for pipeline tests. */
export function memoryFs(files: Record<string, string> | Map<string, string>): FileSource {
  const map = files instanceof Map ? files : new Map(Object.entries(files));
  return { list: () => [...map.keys()].sort(), read: (p) => map.get(p) };
}
