// Hand-written argument parsing: `--flag value`, `--flag=value`, boolean
// `--flag`, repeatable flags and positionals. Anything unexpected is a
// CliError (exit 2) that names the flag and what it wanted.
import { CliError } from "./errors.js";

/** What a flag takes: a string, an integer ≥ 0, a positive number, a list of positive integers, nothing (a switch), or repeated `key=value` pairs. */
export type FlagType = "string" | "count" | "number" | "ints" | "switch" | "pairs";

/** One flag of a command. */
export interface Flag {
  type: FlagType;
  /** Shown in help, e.g. "N" or "FILE". */
  arg?: string;
  help: string;
}

/** A command: its positionals (names, all required) and flags. */
export interface Command {
  summary: string;
  positionals: string[];
  flags: Record<string, Flag>;
}

/** A flag's parsed value. */
export type FlagValue = string | number | number[] | boolean | Record<string, unknown>;

/** The parsed command line. */
export interface Parsed {
  command: string;
  positionals: string[];
  flags: Record<string, FlagValue>;
}

/**
 * Parses `argv` (without `node script`) against `commands`. `--help`/`-h`
 * anywhere, or no command, yields the command "help".
 */
export function parseArgs(argv: readonly string[], commands: Record<string, Command>): Parsed {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    return { command: "help", positionals: rest.filter((a) => !a.startsWith("-")), flags: {} };
  }
  const spec = commands[command];
  if (!spec) throw new CliError(`unknown command '${command}' (commands: ${Object.keys(commands).join(", ")})`, true);
  if (rest.includes("--help") || rest.includes("-h")) return { command: "help", positionals: [command], flags: {} };
  const positionals: string[] = [];
  const flags: Record<string, FlagValue> = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith("--")) {
      if (arg.startsWith("-") && arg.length > 1 && !/^-\d/.test(arg))
        throw new CliError(`unknown option '${arg}' (options start with --)`, true);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const flag = spec.flags[name];
    if (!flag)
      throw new CliError(
        `unknown option '--${name}' for '${command}' (options: ${Object.keys(spec.flags)
          .map((f) => `--${f}`)
          .join(" ")})`,
        true,
      );
    if (flag.type === "switch") {
      if (eq >= 0) throw new CliError(`--${name} takes no value`, true);
      flags[name] = true;
      continue;
    }
    let text: string | undefined = eq >= 0 ? arg.slice(eq + 1) : rest[++i];
    if (text === undefined) throw new CliError(`--${name} needs a value (${flag.arg ?? flag.type})`, true);
    flags[name] = convert(name, flag, text, flags[name]);
  }
  if (positionals.length !== spec.positionals.length) {
    const want = spec.positionals.length ? spec.positionals.map((p) => `<${p}>`).join(" ") : "no arguments";
    throw new CliError(
      `'${command}' takes ${want}, got ${positionals.length ? positionals.map((p) => `'${p}'`).join(" ") : "none"}`,
      true,
    );
  }
  return { command, positionals, flags };
}

function convert(name: string, flag: Flag, text: string, previous: FlagValue | undefined): FlagValue {
  const bad = (want: string): never => {
    throw new CliError(`--${name} must be ${want}, got '${text}'`, true);
  };
  switch (flag.type) {
    case "string":
      if (text === "") bad("a non-empty value");
      return text;
    case "count": {
      if (!/^\d+$/.test(text)) bad("a whole number");
      return Number(text);
    }
    case "number": {
      const v = Number(text);
      if (text.trim() === "" || !Number.isFinite(v) || v <= 0) bad("a positive number");
      return v;
    }
    case "ints": {
      const parts = text.split(",");
      if (!parts.every((p) => /^\d+$/.test(p) && Number(p) > 0))
        bad("a comma-separated list of positive integers, e.g. 500,500");
      return parts.map(Number);
    }
    case "pairs": {
      const eq = text.indexOf("=");
      if (eq <= 0) bad("key=value");
      return {
        ...(previous as Record<string, unknown> | undefined),
        [text.slice(0, eq)]: parseValue(text.slice(eq + 1)),
      };
    }
    default:
      return bad("valid");
  }
}

/** `key=value` values: numbers, true/false, comma lists of numbers, JSON, else the string itself. */
export function parseValue(text: string): unknown {
  if (text === "true" || text === "false") return text === "true";
  if (text.trim() !== "" && Number.isFinite(Number(text))) return Number(text);
  if (/^[-+0-9.e]+(,[-+0-9.e]+)+$/i.test(text) && text.split(",").every((p) => Number.isFinite(Number(p))))
    return text.split(",").map(Number);
  if (/^[[{"]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      throw new CliError(`--set value '${text}' looks like JSON but does not parse`, true);
    }
  }
  return text;
}

/** The help text: usage for every command (or just `only`) and its flags. */
export function helpText(program: string, commands: Record<string, Command>, only?: string): string {
  const names = only && commands[only] ? [only] : Object.keys(commands);
  const lines: string[] = [];
  for (const name of names) {
    const spec = commands[name]!;
    lines.push(`${program} ${name}${spec.positionals.map((p) => ` <${p}>`).join("")} [options]`, `  ${spec.summary}`);
    const rows = Object.entries(spec.flags).map(
      ([f, flag]) => [`--${f}${flag.arg ? ` ${flag.arg}` : ""}`, flag.help] as const,
    );
    const pad = Math.max(...rows.map(([l]) => l.length)) + 2;
    for (const [left, help] of rows) lines.push(`    ${left.padEnd(pad)}${help}`);
    lines.push("");
  }
  return lines.join("\n");
}
