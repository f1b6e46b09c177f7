import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { ARTIFACTS, eventually, escapeRegExp, findFiles, findVsix, freePort, portIsFree, readPaths, waitForHttp } from './harnessSupport';

export { ARTIFACTS, REPO, eventually, findVsix, sampleProject } from './harnessSupport';

/**
 * End-to-end harness: installs the packaged VSIX into code-server (a real VS Code build), serves a
 * throwaway copy of a workspace folder, and drives the workbench with Playwright in Debian's Chromium.
 * Recipe and flags: shared/design/toolchain.md. Prerequisites: `bash scripts/e2e/setup.sh` and
 * `npm run package`; a missing prerequisite fails with a message that names the command to run.
 */

/** User settings that keep the workbench quiet and deterministic for screenshots. */
const USER_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'editor.minimap.enabled': false,
  // Text typed by a test lands as typed.
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoIndent': 'none',
  'window.restoreWindows': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** Options of one code-server session. */
export interface SessionOptions {
  /** Folder copied into a temporary directory and opened as the workspace. */
  workspace: string;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Open `workspace` in place instead of a temporary copy (benchmarks reuse its `.mallard` catalog). */
  inPlace?: boolean;
  /**
   * More folders, each copied next to `workspace`'s copy: the session then opens a multi-root
   * workspace (a `.code-workspace` file listing `workspace` first, then these, by folder name).
   */
  moreFolders?: string[];
  /**
   * A directory that keeps VS Code's user data, the installed extension and the browser profile
   * between sessions, as when a user closes a window and opens it again (restored editors, a
   * browser that already has the webview service worker). Kept on close; a fresh one per session otherwise.
   */
  stateDir?: string;
  /** VSIX files to install instead of Mallard's (the extension bench's baseline). */
  vsix?: string[];
}

/** A running code-server with a Chromium page on its workbench. */
export class VsCodeSession {
  private constructor(
    readonly page: Page,
    readonly workspaceDir: string,
    readonly userDataDir: string,
    private readonly browser: BrowserContext,
    private readonly server: ChildProcess,
    private readonly root: string,
    private readonly serverLog: string[],
    /** `Date.now()` when the browser started loading the workbench. */
    readonly openedAt: number,
    /** `Date.now()` when the workbench DOM (`.monaco-workbench`) was loaded: "window open" in benchmarks. */
    readonly workbenchReadyAt: number,
    /** Every workspace folder, `workspaceDir` first (more than one for a multi-root workspace). */
    readonly folders: readonly string[],
    /** Leave `root` on close (a caller-owned `stateDir`). */
    private readonly keepState: boolean,
  ) {}

  /** Process id of code-server, whose child processes include the extension host. */
  get serverPid(): number | undefined {
    return this.server.pid;
  }

  /** Installs the VSIX, starts code-server on a free port and opens the workbench in Chromium. */
  static async start(options: SessionOptions): Promise<VsCodeSession> {
    const paths = readPaths();
    const vsixFiles = options.vsix ?? [findVsix()];
    const root = options.stateDir ?? mkdtempSync(path.join(os.tmpdir(), 'mallard-e2e-'));
    mkdirSync(root, { recursive: true });
    const userDataDir = path.join(root, 'user-data');
    const extensionsDir = path.join(root, 'extensions');
    const workspaceDir = options.inPlace ? path.resolve(options.workspace) : path.join(root, path.basename(options.workspace));
    mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    writeFileSync(path.join(userDataDir, 'User/settings.json'), JSON.stringify({ ...USER_SETTINGS, ...options.settings }, null, 2));
    const copy = (from: string, to: string): void => cpSync(from, to, { recursive: true, filter: (src) => !/[\\/](node_modules|\.mallard|target)$/.test(src) });
    if (!options.inPlace) copy(options.workspace, workspaceDir);
    const folders = [workspaceDir];
    for (const more of options.moreFolders ?? []) {
      const dir = path.join(root, path.basename(more));
      if (folders.includes(dir)) throw new Error(`two workspace folders are named ${path.basename(more)}`);
      copy(more, dir);
      folders.push(dir);
    }
    // A multi-root workspace is a .code-workspace file; code-server opens it with `?workspace=`.
    const workspaceFile = path.join(root, 'mallard-e2e.code-workspace');
    if (folders.length > 1) writeFileSync(workspaceFile, JSON.stringify({ folders: folders.map((f) => ({ path: f })) }, null, 2));
    const opened = folders.length > 1 ? workspaceFile : workspaceDir;

    const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
    // A kept state installs again only when a VSIX changed.
    const installed = path.join(root, 'installed-vsix');
    const vsixStamp = vsixFiles.map((f) => `${f} ${statSync(f).mtimeMs}`).join('\n');
    if (!existsSync(installed) || readFileSync(installed, 'utf8') !== vsixStamp) {
      for (const vsix of vsixFiles) {
        const install = spawnSync(paths.node, [paths.codeServerEntry, ...common, '--install-extension', vsix, '--force'], { encoding: 'utf8' });
        if (install.status !== 0) throw new Error(`installing ${vsix} failed:\n${install.stdout}\n${install.stderr}`);
      }
      writeFileSync(installed, vsixStamp);
    }

    // A kept state keeps its port too: the origin is what the browser's storage and service workers belong to.
    const portFile = path.join(root, 'port');
    const keptPort = options.stateDir && existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : undefined;
    const port = keptPort && (await portIsFree(keptPort)) ? keptPort : await freePort();
    if (options.stateDir) writeFileSync(portFile, String(port));
    const serverLog: string[] = [];
    // A kept state's window ends as a closed window does (see `close`): its extension host stops
    // 5 s after the browser leaves instead of waiting 3 hours for it to reconnect.
    const grace = options.stateDir ? ['--reconnection-grace-time', '5'] : [];
    const server = spawn(
      paths.node,
      [paths.codeServerEntry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, ...common, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', ...grace, opened],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VSCODE_PROXY_URI: '' } },
    );
    const remember = (chunk: Buffer): void => {
      serverLog.push(chunk.toString('utf8'));
    };
    server.stdout?.on('data', remember);
    server.stderr?.on('data', remember);
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000, serverLog);

    // A persistent profile: with `stateDir` it outlives the session, like a user's browser.
    const browser = await chromium.launchPersistentContext(path.join(root, 'browser-profile'), {
      executablePath: paths.chromium,
      headless: true,
      viewport: { width: 1400, height: 1000 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    const openedAt = Date.now();
    await page.goto(`http://127.0.0.1:${port}/?${folders.length > 1 ? 'workspace' : 'folder'}=${encodeURIComponent(opened)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const workbenchReadyAt = Date.now();
    return new VsCodeSession(page, workspaceDir, userDataDir, browser, server, root, serverLog, openedAt, workbenchReadyAt, folders, options.stateDir !== undefined);
  }

  /** Runs a command through the command palette by its exact title, e.g. `Mallard: Show Log`. */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    // Pick the row whose label is exactly the title: fuzzy matching also lists longer titles.
    const row = this.page.locator('.quick-input-list .monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
  }

  /** Moves the cursor of the active editor to a 1-based line and column (Go to Line). */
  async goToLine(line: number, column: number): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${line}:${column}`);
    await input.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /** Expands a view pane that starts collapsed (e.g. `Connectors`). */
  async expandPane(title: string): Promise<void> {
    const header = this.page.locator('.pane-header', { hasText: title }).first();
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  }

  /** Collapses a view pane (e.g. `Diagnostics`) so the panes above it get the height. */
  async collapsePane(title: string): Promise<void> {
    const header = this.page.locator('.pane-header', { hasText: title }).first();
    if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
  }

  /** Visible labels of the rows of a tree view, found by its pane title (e.g. `Catalog`). */
  async treeLabels(paneTitle: string): Promise<string[]> {
    const pane = this.page.locator('.pane', { has: this.page.locator('.pane-header', { hasText: paneTitle }) });
    const rows = pane.locator('.monaco-list-row');
    await rows.first().waitFor({ state: 'visible' });
    return rows.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? el.textContent ?? ''));
  }

  /** Labels of the rows directly under the row labelled `parent` in a tree view (visible rows only). */
  async treeChildren(paneTitle: string, parent: string): Promise<string[]> {
    const pane = this.page.locator('.pane', { has: this.page.locator('.pane-header', { hasText: paneTitle }) });
    const rows = await pane.locator('.monaco-list-row').evaluateAll((els) =>
      els.map((el) => ({ level: Number(el.getAttribute('aria-level') ?? '0'), label: el.querySelector('.label-name')?.textContent ?? '', top: el.getBoundingClientRect().top })),
    );
    rows.sort((a, b) => a.top - b.top);
    const start = rows.findIndex((r) => r.label === parent);
    if (start < 0) return [];
    const level = rows[start]?.level ?? 0;
    const out: string[] = [];
    for (const row of rows.slice(start + 1)) {
      if (row.level <= level) break;
      if (row.level === level + 1) out.push(row.label);
    }
    return out;
  }

  /** Opens a workspace file through Quick Open and waits for its editor tab. */
  async openFile(relativePath: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(relativePath);
    await this.page.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible' });
    await input.press('Enter');
    const name = path.basename(relativePath);
    await this.page.locator('.tab.active', { hasText: name }).first().waitFor({ state: 'visible' });
    // Focus the text of that editor (a webview beside it may hold the focus otherwise).
    const group = this.page.locator('.editor-group-container', { has: this.page.locator('.tab.active', { hasText: name }) }).first();
    await group.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible' });
    await group.locator('.monaco-editor textarea').first().focus();
  }

  /** Replaces the whole text of the text editor that shows `visibleText`, and saves it. */
  async replaceEditorText(visibleText: string, text: string): Promise<void> {
    const lines = this.page.locator('.monaco-editor .view-lines', { hasText: visibleText }).first();
    await lines.waitFor({ state: 'visible' });
    await lines.click();
    await this.page.locator('.monaco-editor.focused .view-lines', { hasText: visibleText }).first().waitFor({ state: 'visible' });
    await this.page.keyboard.press('Control+A');
    // Delete first: a bracket typed over a selection would surround it.
    await this.page.keyboard.press('Delete');
    // One input event: no auto-closed brackets or quotes, unlike typing key by key.
    await this.page.keyboard.insertText(text);
    await this.page.keyboard.press('Control+S');
  }

  /**
   * The content frame of the webview whose page title is `title` (webviews render inside two nested
   * iframes; several may exist, so they are told apart by the title of the app's own document).
   */
  async webview(title: string, timeoutMs = 30_000): Promise<Frame> {
    return eventually(`the "${title}" webview`, async () => {
      for (const frame of this.page.frames()) {
        if (frame.isDetached()) continue;
        const name = await frame.title().catch(() => '');
        if (name === title) return frame;
      }
      return undefined;
    }, timeoutMs);
  }

  /** The status-bar entry contributed by Mallard. */
  statusBarItem(): ReturnType<Page['locator']> {
    return this.page.locator('#mallard\\.mallard\\.mallard\\.status, .statusbar-item[id$="mallard.status"]').first();
  }

  /** The text of the extension host's "Mallard" log file, read from disk (complete, unlike the DOM). */
  mallardLog(): string {
    const found = findFiles(this.logsDir(), (f) => /[\\/]Mallard\.log$/.test(f));
    return found.map((f) => readFileSync(f, 'utf8')).join('\n');
  }

  /** Waits until the extension host of this window has exited (after its reconnection grace time). */
  private async extensionHostExit(): Promise<void> {
    const exited = (): true | undefined => {
      const log = findFiles(this.logsDir(), (f) => /remoteexthost\.log$/.test(f)).map((f) => readFileSync(f, 'utf8')).join('\n');
      return /Extension host with pid \d+ exiting/.test(log) ? true : undefined;
    };
    await eventually('the extension host to exit', async () => exited(), 60_000);
  }

  /** This session's log folder: code-server starts one per run (a kept state holds earlier ones too). */
  private logsDir(): string {
    const logs = path.join(this.userDataDir, 'logs');
    const latest = existsSync(logs) ? readdirSync(logs).sort().at(-1) : undefined;
    return latest ? path.join(logs, latest) : logs;
  }

  /**
   * Lines of the Mallard log with their time (`Date.now()` scale). The log channel stamps every line
   * with the local wall-clock time of the extension host, which runs on this machine.
   */
  mallardLogLines(): { at: number; level: string; message: string }[] {
    const out: { at: number; level: string; message: string }[] = [];
    for (const line of this.mallardLog().split('\n')) {
      const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) \[(\w+)\] (.*)$/.exec(line);
      if (!m) continue;
      const [, y, mo, d, h, mi, sec, ms, level = '', message = ''] = m;
      out.push({ at: new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), Number(ms)).getTime(), level, message });
    }
    return out;
  }

  /** Saves a full-page screenshot into test-artifacts/e2e/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Saves the Mallard log and the extension host log next to the screenshots (for failures). */
  saveLogs(name: string): void {
    mkdirSync(ARTIFACTS, { recursive: true });
    const exthost = findFiles(this.logsDir(), (f) => /exthost\.log$|remoteexthost\.log$/.test(f)).map((f) => readFileSync(f, 'utf8')).join('\n');
    writeFileSync(path.join(ARTIFACTS, `${name}.log`), `== Mallard ==\n${this.mallardLog()}\n== extension host ==\n${exthost}\n== code-server ==\n${this.serverOutput()}`);
  }

  /** code-server's own output, for failure messages. */
  serverOutput(): string {
    return this.serverLog.join('');
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    // A kept state ends as a user's window does: the extension host sees the window go, deactivates
    // the extensions (Mallard closes its catalogs) and exits, before the server is stopped.
    if (this.keepState) await this.extensionHostExit();
    this.server.kill('SIGTERM');
    await new Promise((resolve) => {
      if (this.server.exitCode !== null) resolve(undefined);
      else this.server.once('exit', resolve);
      setTimeout(resolve, 5000).unref();
    });
    if (!this.keepState) rmSync(this.root, { recursive: true, force: true });
  }
}
