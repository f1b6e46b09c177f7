import type { FileSource } from '../pipeline/contracts';
import type { BiConfig, BiSecrets } from './biFiles';
import { filesPort, selectFiles } from './biFiles';
import type { ConnectorInput, ConnectorPorts, ExtractResult } from './connector';

/**
 * The two halves of a BI file connector's extraction (Tableau, Looker, Power BI): `parseFile` does
 * a file's expensive work alone (unzip, XML/LookML/JSON parse) and returns a JSON-serializable
 * intermediate; `buildFacts` combines the intermediates of all files, in path order, with the
 * connector's one cross-file builder (first definition wins, later files add to earlier entities).
 * A workspace run does both in one call (`extractSplit`); the cloud's `org-extract` runs
 * `parseFile` in bounded chunks, stages the intermediates as JSON, and runs `buildFacts` once over
 * them, so both produce the same facts.
 */

/** One file's intermediate, with its path. */
export interface ParsedFile<P> {
  path: string;
  parsed: P;
}

/** A BI connector split into per-file parsing and cross-file building. */
export interface BiSplit<P> {
  /** The connector's name in messages (`filesPort`, progress). */
  label: string;
  /** The file types it reads. */
  extensions: readonly string[];
  /** One file's intermediate; must survive `JSON.stringify`/`JSON.parse` unchanged. Never throws. */
  parseFile(files: FileSource, path: string): P;
  /** The facts of all files' intermediates, given in path order. */
  buildFacts(parsed: readonly ParsedFile<P>[], config: BiConfig): ExtractResult;
}

/** The files a split connector reads under `config` (sorted: the order `buildFacts` expects). */
export function splitPaths(split: BiSplit<unknown>, files: FileSource, config: BiConfig): string[] {
  return selectFiles(files, config, split.extensions);
}

/** A connector's `extract`: `parseFile` over every selected file, then `buildFacts`. */
export function extractSplit<P>(split: BiSplit<P>, input: ConnectorInput<BiConfig, BiSecrets>, ports: ConnectorPorts): ExtractResult {
  const files = filesPort(ports, split.label);
  const paths = selectFiles(files, input.config, split.extensions);
  const parsed = paths.map((path, i) => {
    ports.progress?.(`${split.label}: ${path}`, i, paths.length);
    return { path, parsed: split.parseFile(files, path) };
  });
  return split.buildFacts(parsed, input.config);
}
