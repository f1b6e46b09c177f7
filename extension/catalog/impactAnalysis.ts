import type { Database } from 'better-sqlite3';
import { DIRECT_KINDS } from '../../core/model/entities';
import type { TransformKind } from '../../core/model/entities';
import { splitColumnId } from '../../core/model/ids';
import type { ColumnClosureOptions, ImpactedColumn, ImpactedEntity, ImpactReport } from './catalogTypes';
import { summariesOf } from './entityQueries';
import { compareText } from './sqlUtil';
import { COLUMN_EDGES, walk } from './graphWalk';
import { ALL_TRANSFORMS, DIRECT_TRANSFORMS } from './lineageQueries';

/**
 * "What breaks downstream if column X changes": the downstream column closure, grouped by entity,
 * each column with the shortest path from X and the transform of every hop. Among equally short
 * paths the one with the fewest indirect hops is reported, so `direct` is true exactly when a
 * direct-only shortest path exists.
 */
export function impactOfColumn(db: Database, columnId: string, options: Omit<ColumnClosureOptions, 'direction'>): ImpactReport {
  const labels = options.includeIndirect === true ? ALL_TRANSFORMS : DIRECT_TRANSFORMS;
  const result = walk(db, COLUMN_EDGES, columnId, true, options.maxDepth, labels);
  const byEntity = new Map<string, ImpactedColumn[]>();
  for (const [id, depth] of result.depth) {
    if (id === columnId) continue;
    const path = [id];
    const transforms: TransformKind[] = [];
    for (let node = id; node !== columnId; ) {
      const edge = result.via.get(node);
      if (edge === undefined) break;
      path.push(edge.from);
      transforms.push(edge.label as TransformKind);
      node = edge.from;
    }
    path.reverse();
    transforms.reverse();
    const { entityId, column } = splitColumnId(id);
    const item: ImpactedColumn = { columnId: id, column, depth, path, transforms, direct: transforms.every((t) => DIRECT_KINDS.has(t)) };
    const list = byEntity.get(entityId);
    if (list === undefined) byEntity.set(entityId, [item]);
    else list.push(item);
  }
  const summaries = summariesOf(db, [...byEntity.keys()]);
  const entities: ImpactedEntity[] = [...byEntity].map(([entityId, columns]) => {
    columns.sort((a, b) => a.depth - b.depth || compareText(a.columnId, b.columnId));
    const entity = summaries.get(entityId);
    return entity === undefined ? { entityId, columns } : { entityId, entity, columns };
  });
  const minDepth = (e: ImpactedEntity): number => e.columns[0]?.depth ?? 0;
  entities.sort((a, b) => minDepth(a) - minDepth(b) || compareText(a.entityId, b.entityId));
  return { root: columnId, entities, columnCount: result.depth.size - 1 };
}
