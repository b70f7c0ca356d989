/**
 * The port through which the run engine executes terraform (or OpenTofu). The production
 * implementation is ProcessTerraformRunner; argv is built by terraform-args.ts and is always an
 * array, never a shell string.
 */
export interface TerraformInvocation {
  /** e.g. ['plan', '-input=false', '-no-color', '-out', 'x.tfplan', ...extraArgs]; never a shell string */
  args: string[];
  /** the project directory inside a working copy */
  cwd: string;
  /**
   * Under the sandbox, the only directories the process may write (and, apart from system files,
   * the only ones it sees): the working copy root and the run's scratch dir. Default: `cwd`.
   */
  writableDirs?: string[];
  /**
   * Under the sandbox, directories inside the writable ones that the process sees read-only: the
   * working copy's `.git`, so that a run cannot poison the next run's checkout (hooks, config, objects).
   */
  readOnlyDirs?: string[];
  /** added on top of a clean base env (see child-env.ts); TF_WORKSPACE and TF_CLI_ARGS* are dropped */
  env?: Record<string, string>;
  /** streamed as it arrives, utf8-decoded (a multibyte character is never split across chunks) */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** abort = cancel: SIGINT to the process group, SIGKILL after the runner's grace period */
  signal?: AbortSignal;
  /** same path as cancel, with timedOut=true */
  timeoutMs?: number;
  /** bound of each buffer in the result (bytes, the last ones are kept); the runner's default otherwise */
  maxOutputBytes?: number;
  /**
   * Called once the process exists, with its pid (also its process group id): the caller records
   * it so that a later start can find a terraform this server left running when it died.
   */
  onSpawn?: (pid: number) => void;
}

export interface TerraformResult {
  /** null when the process was ended by a signal */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** both streams interleaved in arrival order */
  combined: string;
  /** true when the start of the output was dropped to respect maxOutputBytes (onOutput still saw all of it) */
  truncated: boolean;
  canceled: boolean;
  timedOut: boolean;
  durationMs: number;
}

export interface TerraformRunner {
  run(inv: TerraformInvocation): Promise<TerraformResult>;
  /** e.g. "1.11.4" */
  version(): Promise<string>;
  /** processes running now */
  active(): number;
}
