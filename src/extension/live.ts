/**
 * Live mode's timing, apart from VS Code so that it can be tested: a watched file's change schedules
 * a re-evaluation after a quiet period (debounced); an evaluation the user asks for cancels a
 * scheduled one; and a re-evaluation whose target was still being resolved when a newer evaluation
 * started is dropped, so that it cannot cancel the newer one (e.g. "Evaluate All Runs" right after
 * the config was saved, while the previous target's re-evaluation resolved the config).
 */
export interface LiveHooks<T> {
  /** The target of the re-evaluation, resolved when it fires (undefined: nothing to do). */
  resolve(): Promise<T | undefined>;
  /** Runs the re-evaluation. */
  run(target: T): Promise<void>;
  /** Says what happened, for the log. */
  log(message: string): void;
}

export class LiveSchedule<T> {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Evaluations started so far (live or asked for). */
  private started = 0;

  constructor(private readonly hooks: LiveHooks<T>) {}

  /** A watched file changed: re-evaluate after `delayMs` without further changes. */
  schedule(delayMs: number): void {
    this.cancel();
    this.timer = setTimeout(() => void this.fire(), delayMs);
  }

  /** An evaluation starts; `asked` when the user asked for it (then a scheduled one is cancelled). */
  starting(asked: boolean): void {
    this.started++;
    if (asked) this.cancel();
  }

  /** No re-evaluation is scheduled any more (the watchers are gone or changed). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Whether a re-evaluation is scheduled or under way. */
  get busy(): boolean {
    return this.timer !== undefined || this.firing > 0;
  }

  private firing = 0;

  private async fire(): Promise<void> {
    this.timer = undefined;
    this.firing++;
    try {
      const before = this.started;
      this.hooks.log('A watched file changed: re-evaluating.');
      const target = await this.hooks.resolve();
      if (this.started !== before) {
        this.hooks.log('Live re-evaluation dropped: a newer evaluation has started.');
        return;
      }
      if (target !== undefined) await this.hooks.run(target);
    } finally {
      this.firing--;
    }
  }
}
