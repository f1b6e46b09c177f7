import * as vscode from 'vscode';
import { redact, type Logger } from './logger';

/** The one "Mallard" log channel, wrapped behind the logger port; every line is redacted first. */
export class OutputLogger implements Logger, vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor(name = 'Mallard') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  trace(message: string): void {
    this.channel.trace(redact(message));
  }
  debug(message: string): void {
    this.channel.debug(redact(message));
  }
  info(message: string): void {
    this.channel.info(redact(message));
  }
  warn(message: string): void {
    this.channel.warn(redact(message));
  }
  error(message: string | Error): void {
    const text = message instanceof Error ? `${message.message}\n${message.stack ?? ''}` : message;
    this.channel.error(redact(text));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
