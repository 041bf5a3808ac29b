import type * as vscode from 'vscode';

/**
 * Disposables currently held by every `Disposable` of the extension (registered and not yet
 * released). The leak tests read it: opening and closing the panel must bring it back.
 */
let held = 0;

export function heldDisposables(): number {
  return held;
}

/** Owns disposables and releases them together, so nothing leaks when a panel or service closes. */
export class Disposable implements vscode.Disposable {
  private readonly owned: vscode.Disposable[] = [];
  private disposed = false;

  protected _register<T extends vscode.Disposable>(d: T): T {
    if (this.disposed) d.dispose();
    else {
      this.owned.push(d);
      held++;
    }
    return d;
  }

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    while (this.owned.length) {
      held--;
      try {
        this.owned.pop()!.dispose();
      } catch {
        // A failing dispose must not keep the others from being released.
      }
    }
  }
}
