/** Options of `runLoad()`. */
export interface LoadOptions {
  url: string;
  /** Default 20. */
  bursts?: number;
  /** Requests per burst, all at once. Default 40. */
  concurrency?: number;
  /** Pause between bursts (ms). Default 1200. */
  pauseMs?: number;
  /** Stop starting bursts after this long (ms). Default 120000. */
  deadlineMs?: number;
}

export function runLoad(options: LoadOptions): Promise<{ ok: number; failed: number }>;
