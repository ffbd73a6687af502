import { referencesDeep, referencesIn, type Reference } from './references';
import { readSuppressions } from './suppressions';
import type { Mode, Resource, Suppression, TfJson } from './types';

const MODES: readonly Mode[] = ['resource', 'data', 'ephemeral'];

interface Edge {
  readonly from: Resource;
  /** Top-level argument of `from` holding the reference. */
  readonly argument: string;
  readonly reference: Reference;
}

/**
 * One synthesized stack, indexed: every resource, data source and ephemeral resource by address,
 * by type, and by who references whom, plus the region of each provider alias.
 */
export class Stack {
  readonly resources = new Map<string, Resource>();
  private readonly byTypeIndex = new Map<string, Resource[]>();
  private readonly incoming = new Map<string, Edge[]>();
  private readonly regions = new Map<string, string>();

  constructor(
    readonly name: string,
    readonly json: TfJson,
    /** Where it was read from, for messages. */
    readonly file = '(in memory)',
  ) {
    for (const mode of MODES) {
      for (const [type, byName] of Object.entries(json[mode] ?? {})) {
        for (const [name, raw] of Object.entries(byName as Record<string, Record<string, unknown>>)) {
          const { '//': metadata, ...body } = raw;
          const address = mode === 'resource' ? `${type}.${name}` : `${mode}.${type}.${name}`;
          const path = constructPath(metadata);
          const suppressions = readSuppressions(metadata, address);
          const resource: Resource = { address, mode, type, name, body, ...(path === undefined ? {} : { path }), suppressions };
          this.resources.set(address, resource);
          const key = mode === 'resource' ? type : `${mode}.${type}`;
          this.byTypeIndex.set(key, [...(this.byTypeIndex.get(key) ?? []), resource]);
        }
      }
    }
    for (const from of this.resources.values()) {
      for (const [argument, value] of Object.entries(from.body)) {
        for (const reference of referencesDeep(value)) {
          const edges = this.incoming.get(reference.address) ?? [];
          edges.push({ from, argument, reference });
          this.incoming.set(reference.address, edges);
        }
      }
    }
    for (const [providerName, configs] of Object.entries(json.provider ?? {})) {
      for (const config of [configs].flat()) {
        const alias = typeof config.alias === 'string' ? `${providerName}.${config.alias}` : providerName;
        if (typeof config.region === 'string') this.regions.set(alias, config.region);
      }
    }
  }

  /** Every suppression written on a resource of this stack, located. */
  suppressions(): Suppression[] {
    return [...this.resources.values()].flatMap((resource) =>
      resource.suppressions.map((s) => ({
        rule: s.id,
        stack: this.name,
        resource: resource.address,
        ...(resource.path === undefined ? {} : { path: resource.path }),
        reason: s.reason,
      })),
    );
  }

  /** Resources of a type (`aws_s3_bucket`), or data sources (`data.aws_iam_policy_document`). */
  byType(type: string): Resource[] {
    return this.byTypeIndex.get(type) ?? [];
  }

  get(address: string): Resource | undefined {
    return this.resources.get(address);
  }

  /** Every reference in a value that points at something in this stack. */
  references(value: unknown): Resource[] {
    const found = referencesDeep(value)
      .map((r) => this.resources.get(r.address))
      .filter((r): r is Resource => r !== undefined);
    return [...new Set(found)];
  }

  /** The one thing a string value refers to (e.g. `${aws_kms_key.k.arn}` gives the key), if any. */
  resolve(value: unknown): Resource | undefined {
    if (typeof value !== 'string') return undefined;
    for (const reference of referencesIn(value)) {
      const target = this.resources.get(reference.address);
      if (target) return target;
    }
    return undefined;
  }

  /**
   * Resources that reference `target`, optionally only of a type and through one argument: the
   * companions of a bucket are `referrers(bucket, 'aws_s3_bucket_versioning', 'bucket')`.
   */
  referrers(target: Resource, type?: string, argument?: string): Resource[] {
    const edges = this.incoming.get(target.address) ?? [];
    const found = edges
      .filter((e) => (type === undefined || e.from.type === type) && (argument === undefined || e.argument === argument))
      .map((e) => e.from);
    return [...new Set(found)];
  }

  /** The region a resource is deployed to, from its provider alias. */
  regionOf(resource: Resource): string | undefined {
    const provider = typeof resource.body.provider === 'string' ? resource.body.provider : resource.type.split('_')[0];
    return provider === undefined ? undefined : this.regions.get(provider);
  }
}

/** The construct path cdktf writes in a resource's `//.metadata.path`. */
function constructPath(metadata: unknown): string | undefined {
  const path = (metadata as { metadata?: { path?: unknown } } | undefined)?.metadata?.path;
  return typeof path === 'string' ? path : undefined;
}
