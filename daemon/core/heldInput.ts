import { turnBudget as sharedTurnBudget, type TurnBudget } from './turnBudget.js';

/** What a socket's input does with the turn budget (turnBudget.ts): how it is handled, paused and resumed. */
export interface HeldInputOwner {
  /** Handles one input now (a `/voice` frame, a chunk for aedes); `binary` is what `take` was given. */
  handle(data: Buffer, binary: boolean): void;
  /** Stops the source reading (socket.pause()): called whenever an input is held. */
  pause(): void;
  /** False once the owner is gone (closed, destroyed): what is still held is not handled. */
  live(): boolean;
  /** Every held input was handled and the owner is live: it resumes its source if nothing else keeps it paused. */
  released(): void;
}

/**
 * One socket's input waiting its turn: handled at once while the loop phase is within its budget and nothing of
 * this socket waits, else held in arrival order, the socket paused, and handed on when the budget's line reaches
 * it. The `/voice` front door (its frames) and the MQTT broker's guarded connections (their chunks) each did this
 * on their own; the order and the pauses are the ones both had.
 */
export class HeldInput {
  /** Inputs held, oldest first, and whether each is binary; null while nothing is held. */
  private held: Buffer[] | null = null;
  private binary: boolean[] | null = null;

  constructor(private readonly owner: HeldInputOwner, private readonly budget: TurnBudget = sharedTurnBudget) {}

  /** Inputs are held now (the socket is paused until they are handled). */
  get holding(): boolean {
    return this.held !== null;
  }

  /** Handles `data` now, or holds it behind what is held already. */
  take(data: Buffer, binary = false): void {
    if (this.held !== null) {
      this.held.push(data);
      this.binary!.push(binary);
      this.owner.pause();
    } else if (this.budget.admit()) {
      this.owner.handle(data, binary);
    } else {
      this.held = [data];
      this.binary = [binary];
      this.owner.pause();
      this.budget.hold(this.release);
    }
  }

  /** The budget's call: the held inputs in order, then the owner resumes; none once it is gone. */
  private readonly release = (): void => {
    const held = this.held;
    const binary = this.binary;
    this.held = null;
    this.binary = null;
    if (held === null) return;
    for (let i = 0; i < held.length; i++) {
      if (!this.owner.live()) return;
      this.owner.handle(held[i]!, binary![i]!);
    }
    if (this.owner.live()) this.owner.released();
  };
}
