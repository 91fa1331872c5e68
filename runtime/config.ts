/**
 * One validated config for the daemon and for replay. A file (YAML or JSON) is merged over the
 * embedded defaults, validated once with zod, and frozen; every problem is reported with its path
 * (`domains.adas.deadline_ms`), all at once.
 */
import { readFile, stat } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { knownKeysAt, nearestKey } from './config-keys.js';
import { ConfigInvalidError } from './errors.js';

/**
 * What the schema needs to know of each domain it is made for (a DomainDefinition satisfies it):
 * its name gives the keys `domains.NAME` and `someip.services.NAME`, its triggers' names are valid
 * in `cloud.snippets.triggers`.
 */
export interface ConfigDomain {
  readonly domain: string;
  readonly triggers?: readonly { readonly name: string }[];
}

/** Snippet triggers that watch every domain (runtime/datalog/triggers.ts implements them). */
export const GENERIC_SNIPPET_TRIGGERS = ['fallback', 'degrade'] as const;
export type GenericSnippetTrigger = (typeof GENERIC_SNIPPET_TRIGGERS)[number];

/** The trigger names valid for these domains: each domain's own, in table order, then the generic ones. */
export function snippetTriggerNames(domains: readonly ConfigDomain[]): string[] {
  return [...domains.flatMap((d) => (d.triggers ?? []).map((t) => t.name)), ...GENERIC_SNIPPET_TRIGGERS];
}

const variantName = z.enum(['fp32', 'int8', 'cloud', 'fallback']);
export type VariantName = z.infer<typeof variantName>;

const domainSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Model folder name under `models_dir`; absent means the domain's default model. */
    model: z.string().min(1).optional(),
    variant: variantName.default('fp32'),
    rate_hz: z.number().positive().max(1000).optional(),
    deadline_ms: z.number().positive().max(10_000).optional(),
    criticality: z.enum(['safety', 'comfort']).optional(),
    /**
     * Where the domain's model runs: its own process (survives native crashes, gives memory back),
     * a thread (lighter, cannot survive an abort), or a process shared with other domains of the same
     * `group` (a member whose call crashes or hangs it moves out to a process of its own). Default:
     * `shared`, in group `safety` or `comfort` after the domain's criticality.
     */
    isolation: z.enum(['process', 'thread', 'shared']).optional(),
    group: z.string().regex(/^[a-z0-9_-]{1,32}$/).optional(),
    watchdog_ms: z.number().positive().default(500),
    max_rss_mb: z.number().positive().default(256),
  })
  .strict();
export type DomainConfig = z.infer<typeof domainSchema>;

/** A domain's config when the file says nothing of it: the schema's defaults, stated once above. */
export function defaultDomainConfig(): DomainConfig {
  return domainSchema.parse({});
}

const transportSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('virtual'), channel: z.string().default('can0') }).strict(),
  z.object({ kind: z.literal('socketcan'), channel: z.string() }).strict(),
  z
    .object({
      kind: z.literal('socketcand'),
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(1).max(65535),
      channel: z.string(),
      // A lost session comes back with backoff; false ends the bus instead.
      reconnect: z.boolean().default(true),
      // true: the daemon does not start while the server is unreachable (fail fast); default: it starts and waits.
      required_at_start: z.boolean().default(false),
    })
    .strict(),
  z.object({ kind: z.literal('udp'), host: z.string().default('127.0.0.1'), port: z.number().int().min(1).max(65535) }).passthrough(),
]);

const someipId16 = z.number().int().min(0).max(0xffff);
const someipHostPort = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/, 'an IPv4 HOST:PORT such as 127.0.0.1:30490');
/** Per-domain ID overrides; unset IDs keep the ones the domain's definition declares. */
const someipServiceIds = z
  .object({ service_id: someipId16.optional(), instance_id: someipId16.optional(), eventgroup_id: someipId16.optional(), event_id: someipId16.optional(), method_id: someipId16.optional() })
  .strict();
/**
 * The config schema for the domains handed in: `domains.NAME` and `someip.services.NAME` exist for
 * each of them, `cloud.snippets.triggers` takes their triggers' names and the generic ones.
 */
export function configSchemaFor(domains: readonly ConfigDomain[]) {
  const names = domains.map((d) => d.domain);
  const triggerNames = snippetTriggerNames(domains) as [string, ...string[]];
  const someipSchema = z
    .object({
      enabled: z.boolean().default(true),
      /** Local IPv4 address for SD and the service endpoint. */
      address: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'a dotted IPv4 address').default('127.0.0.1'),
      /** 0 picks a free port (tests). */
      sd_port: z.number().int().min(0).max(65535).default(30490),
      service_port: z.number().int().min(0).max(65535).default(30501),
      /** SD multicast group; absent: SD "multicast" goes to `sd_peers` by unicast (loopback has no multicast). */
      multicast: z.string().optional(),
      sd_peers: z.array(someipHostPort).default([]),
      /**
       * IPv4 addresses a Subscribe may name as its event endpoint besides the subscriber's own source
       * address (a gateway subscribing for an ECU behind it). Anything else is refused (NACK): no reflection.
       */
      subscriber_endpoints: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'an IPv4 address')).default([]),
      services: z.object(Object.fromEntries(names.map((d) => [d, someipServiceIds.optional()])) as Record<string, z.ZodOptional<typeof someipServiceIds>>).strict().default({}),
      /** Remote events fed into the signal store as pseudo-messages `SOMEIP_<service>_<event>` (hex). */
      inputs: z
        .array(
          z
            .object({
              service_id: someipId16,
              instance_id: someipId16.default(1),
              major_version: z.number().int().min(0).max(255).default(1),
              eventgroup_id: someipId16,
              /** Payload schemas (bus/someip schema language), checked when the input starts. */
              events: z.array(z.object({ event_id: someipId16, payload: z.unknown(), cycle_time_ms: z.number().positive().optional() }).strict()).min(1),
            })
            .strict(),
        )
        .default([]),
    })
    .strict();

  // --- cloud: the vehicle–cloud link of the daemon (runtime/cloud/) and trigger-based data snippets (runtime/datalog/).
  const snippetsSchema = z
    .object({
      enabled: z.boolean().default(true),
      /** Seconds of raw frames kept before the trigger and captured after it. */
      pre_s: z.number().min(0).max(60).default(10),
      post_s: z.number().min(0).max(60).default(5),
      /** Bytes of frames per snippet at most (split between before and after in proportion to pre_s and post_s). */
      max_bytes: z
        .number()
        .int()
        .min(4096)
        .max(3.5 * 1024 * 1024)
        .default(2 << 20),
      /** A trigger fires at most once per this many seconds (per domain for per-domain triggers). */
      cooldown_s: z.number().min(0).default(30),
      /** Trigger names to arm; absent arms all built-in triggers. */
      triggers: z.array(z.enum(triggerNames)).optional(),
    })
    .strict();
  const cloudSchema = z
    .object({
      enabled: z.boolean().default(false),
      broker: z.string().regex(/^mqtts?:\/\/[^\s/]+(:\d{1,5})?\/?$/, 'an MQTT URL such as mqtt://127.0.0.1:1883 or mqtts://broker:8883').default('mqtt://127.0.0.1:1883'),
      protocol: z.union([z.literal(4), z.literal(5)]).default(5),
      username: z.string().min(1).optional(),
      /** Prefer `password_env`: a secret in a config file is only as safe as the file's permissions. */
      password: z.string().optional(),
      /** Name of an environment variable holding the password, read when the daemon starts. */
      password_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').optional(),
      /** PEM file paths, relative to the config file's folder. */
      tls: z.object({ ca: z.string().min(1).optional(), cert: z.string().min(1).optional(), key: z.string().min(1).optional() }).strict().optional(),
      outbox_dir: z.string().min(1).default('./ecu-ai-outbox'),
      outbox_max_mb: z.number().positive().max(65_536).default(64),
      telemetry_period_s: z.number().min(0.1).max(86_400).default(10),
      /** Ceiling of the reconnect backoff, s. */
      reconnect_max_s: z.number().min(0.25).max(3600).default(30),
      /**
       * When a record may leave the outbox: on ingest's receipt once the record is on the cloud's disk
       * (`ingest`, the default: nothing is lost even by a broker that loses what it acknowledged), or on
       * the broker's PUBACK (`broker`: for a cloud side without ingest's receipts; a broker crash can
       * lose what it had acknowledged and not yet delivered).
       */
      delivery: z.enum(['broker', 'ingest']).default('ingest'),
      /**
       * Largest MQTT packet the vehicle takes from the broker, bytes (default 1 MiB + 4 KiB: the largest
       * inference answer it decodes, and room for topic and header). Announced in MQTT 5 CONNECT; a
       * bigger message is dropped on the socket before it is buffered, and counted.
       */
      max_packet_bytes: z.number().int().min(16_384).max(268_435_455).default(1_052_672),
      /** With `delivery: ingest`: a record without a receipt this long is sent again. */
      receipt_timeout_s: z.number().min(0.1).max(3600).default(10),
      snippets: snippetsSchema.default(snippetsSchema.parse({})),
    })
    .strict()
    .refine((c) => c.password === undefined || c.password_env === undefined, { message: 'give password or password_env, not both', path: ['password_env'] });
  // --- end cloud

    return z
    .object({
      vehicle_id: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only (it becomes part of MQTT topics)')
        .default('demo-vehicle'),
      /** Paths are relative to the config file's folder (or the working directory for the defaults). */
      dbc: z.string().optional(),
      models_dir: z.string().optional(),
      /** The vehicle profile (catalog signals to this vehicle's DBC); default: the shipped vehicles/reference.yaml. */
      vehicle: z.string().optional(),
      transports: z.array(transportSchema).default([{ kind: 'virtual', channel: 'can0' }]),
      http: z
        .object({
          host: z.string().default('127.0.0.1'),
          port: z.number().int().min(0).max(65535).default(9780),
        })
        .strict()
        .default({ host: '127.0.0.1', port: 9780 }),
      platform: z
        .object({
          profile: z.enum(['rpi4', 'rpi5', 'generic-soc']).default('rpi5'),
          /** `auto` reads real sensors where present; replay always uses the model. */
          sensors: z.enum(['auto', 'model']).default('auto'),
          ambient_c: z.number().min(-40).max(85).default(25),
          power_budget_w: z.number().positive().optional(),
          /**
           * Load of the other software on the SoC (navigation, video, ...), in busy cores, as steps in
           * time from the start (seconds). It heats the SoC in the platform model like our own work does.
           */
          background_load: z
            .array(z.object({ from_s: z.number().min(0), cores: z.number().min(0).max(64) }).strict())
            .default([]),
        })
        .strict()
        .default({ profile: 'rpi5', sensors: 'auto', ambient_c: 25, background_load: [] }),
      scheduler: z
        .object({
          cores: z.number().int().min(1).max(64).optional(),
          degrade_c: z.number().min(0).max(150).default(80),
          recover_c: z.number().min(0).max(150).default(75),
          min_dwell_s: z.number().min(0).default(5),
        })
        .strict()
        .refine((s) => s.recover_c < s.degrade_c, { message: 'recover_c must be below degrade_c', path: ['recover_c'] })
        .default({ degrade_c: 80, recover_c: 75, min_dwell_s: 5 }),
      domains: z
        .object(Object.fromEntries(names.map((d) => [d, domainSchema.default(domainSchema.parse({}))])) as Record<string, z.ZodDefault<typeof domainSchema>>)
        .strict()
        .default(Object.fromEntries(names.map((d) => [d, domainSchema.parse({})])) as Record<string, DomainConfig>),
      inference: z
        .object({
          /**
           * Real time only: µs the daemon polls a process worker's pipe for the answer after a call,
           * and the worker for a next call after an answer, before sleeping; stands down by itself
           * when it does not pay (runtime/inference/spin-read.ts). 0 sleeps at once. Replay ignores it.
           */
          spin_us: z.number().int().min(0).max(1000).default(100),
        })
        .strict()
        .default({ spin_us: 100 }),
      log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      /** SOME/IP: domain results offered as services through SD (runtime/someip/), and SOME/IP inputs. */
      someip: someipSchema.default(someipSchema.parse({})),
      // --- cloud
      cloud: cloudSchema.default(cloudSchema.parse({})),
      // --- end cloud
    })
    .strict();
}

export type EcuAiConfig = z.infer<ReturnType<typeof configSchemaFor>>;
export type CloudConfig = EcuAiConfig['cloud'];

/** One schema per table of domains (the table is built once), not one per parse. */
const schemas = new WeakMap<readonly ConfigDomain[], ReturnType<typeof configSchemaFor>>();

function schemaFor(domains: readonly ConfigDomain[]): ReturnType<typeof configSchemaFor> {
  let schema = schemas.get(domains);
  if (!schema) {
    schema = configSchemaFor(domains);
    schemas.set(domains, schema);
  }
  return schema;
}

/** Where a value of the input sits (1-based line), for messages; absent for plain objects. */
export type ConfigLocator = (path: readonly PropertyKey[]) => number | undefined;

/**
 * Validates a plain object; throws ConfigInvalidError listing every problem by path (with its line
 * when `locate` knows it, and the nearest known key for a misspelt one).
 */
export function parseConfig(input: unknown, domains: readonly ConfigDomain[], source = '<config>', locate?: ConfigLocator): Readonly<EcuAiConfig> {
  const configSchema = schemaFor(domains);
  const result = configSchema.safeParse(input ?? {});
  if (!result.success) {
    const issues: { path: string; message: string; line?: number }[] = [];
    for (const i of result.error.issues) {
      if (i.code === 'unrecognized_keys') {
        const known = knownKeysAt(configSchema, i.path);
        for (const key of i.keys) {
          const near = nearestKey(key, known);
          const line = locate?.([...i.path, key]);
          issues.push({
            path: [...i.path, key].map(String).join('.'),
            message: `unknown key${near ? `; did you mean "${near}"?` : known.length > 0 ? `; known here: ${known.join(', ')}` : ''}`,
            ...(line !== undefined ? { line } : {}),
          });
        }
        continue;
      }
      const line = locate?.(i.path);
      issues.push({ path: i.path.length > 0 ? i.path.map(String).join('.') : '(root)', message: i.message, ...(line !== undefined ? { line } : {}) });
    }
    throw new ConfigInvalidError(source, issues);
  }
  return deepFreeze(result.data);
}

/** A YAML or JSON file read into plain data, with a locator of its values' lines. */
export interface LocatedData {
  readonly data: unknown;
  readonly locate: ConfigLocator;
}

/**
 * Reads a YAML or JSON file (YAML is a superset, so one parser serves both) into plain data and
 * the lines its values sit on.
 * @throws {ConfigInvalidError} naming file:line:column for a syntax error
 */
export async function readYamlFileLocated(path: string): Promise<LocatedData> {
  const text = await readFile(path, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, lineCounter: lines });
  const first = doc.errors[0];
  if (first) {
    const linePos = first.linePos?.[0];
    const where = linePos ? `${path}:${linePos.line}:${linePos.col}` : path;
    throw new ConfigInvalidError(where, [{ path: '(syntax)', message: first.message.split('\n')[0] ?? 'YAML syntax error' }]);
  }
  const locate: ConfigLocator = (p) => {
    // The deepest node on the path that exists: a missing key is reported where its parent is.
    let node: unknown = doc.contents;
    let offset: number | undefined = (doc.contents as YamlNode | null)?.range?.[0];
    for (const key of p) {
      if (isMap(node)) {
        const pair = node.items.find((it) => (it.key as { value?: unknown } | null)?.value === key);
        if (!pair) break;
        offset = (pair.key as YamlNode | null)?.range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        const item = node.items[key] as YamlNode | undefined;
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else break;
    }
    return offset === undefined ? undefined : lines.linePos(offset).line;
  };
  return { data: doc.toJS(), locate };
}

/**
 * Reads a YAML or JSON file into plain data.
 * @throws {ConfigInvalidError} naming file:line:column for a syntax error
 */
export async function readYamlFile(path: string): Promise<unknown> {
  return (await readYamlFileLocated(path)).data;
}

/** Reads and validates a YAML or JSON config file for the domains handed in; problems name file:line. */
export async function loadConfigFile(path: string, domains: readonly ConfigDomain[]): Promise<Readonly<EcuAiConfig>> {
  const { data, locate } = await readYamlFileLocated(path);
  return parseConfig(data, domains, path, locate);
}

/** Config fields that hold a secret inline (each a path from the root). */
const INLINE_SECRET_FIELDS: readonly (readonly [keyof EcuAiConfig, string])[] = [['cloud', 'password']];

/** A config file others may read that holds a secret inline. */
export interface ExposedSecrets {
  readonly file: string;
  /** The file's permission bits (0o644, say). */
  readonly mode: number;
  /** The secret fields set inline (`cloud.password`). */
  readonly fields: readonly string[];
  /** One line for the operator: what, where, and the fix. */
  readonly message: string;
}

/**
 * Whether `file`, the source of `config`, is readable or writable by its group or others
 * (mode & 0o077) while it holds a secret inline: anyone with an account on the vehicle could read
 * the broker password.
 * @throws {Error} when the file cannot be stat'ed (it was read a moment ago, so rarely)
 */
export async function exposedSecrets(file: string, config: Readonly<EcuAiConfig>): Promise<ExposedSecrets | undefined> {
  const fields = INLINE_SECRET_FIELDS.filter(([section, key]) => (config[section] as Readonly<Record<string, unknown>>)[key] !== undefined).map(([section, key]) => `${section}.${key}`);
  if (fields.length === 0) return undefined;
  const mode = (await stat(file)).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  const octal = `0${mode.toString(8)}`;
  const message = `${file} (mode ${octal}) holds ${fields.join(', ')} inline and others on this machine may read it: chmod 600 ${file}, or move the secret out with cloud.password_env`;
  return { file, mode, fields, message };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
