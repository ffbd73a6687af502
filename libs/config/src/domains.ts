/**
 * Domains nobody can own, so a hosted zone for them can never be delegated to: the second-level
 * names and top-level domains set aside for documentation and testing (RFC 2606 sections 2 and 3,
 * kept by RFC 6761: https://www.rfc-editor.org/rfc/rfc2606, https://www.rfc-editor.org/rfc/rfc6761)
 * and `.local`, which belongs to multicast DNS (https://www.rfc-editor.org/rfc/rfc6762).
 * Route 53 allows a public hosted zone only for a domain "that you have permission to administer"
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/CreatingHostedZone.html), and its
 * CreateHostedZone refuses a name under example.com with InvalidDomainName, whose message calls the
 * domain "reserved by AWS" (the error: https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHostedZone.html;
 * no AWS page lists the reserved names, so the RFCs' list stands in for it).
 */
export const RESERVED_DOMAINS: readonly string[] = ['example.com', 'example.net', 'example.org', 'example', 'test', 'invalid', 'localhost', 'local'];

/**
 * The placeholder zone of an environment that names none: under example.com, so offline synth
 * and tests work with it and a deploy can never use it by mistake (the stack runner refuses it,
 * and staging and production must name their own).
 */
export function placeholderZoneName(environment: string): string {
  return `dr-${environment}.example.com`;
}

/** The reserved domain a name is, or lies under (`example.com` for `dr-dev.example.com`); undefined for a domain someone can own. */
export function reservedDomainOf(zoneName: string): string | undefined {
  const name = zoneName.toLowerCase().replace(/\.$/, '');
  return RESERVED_DOMAINS.find((domain) => name === domain || name.endsWith(`.${domain}`));
}

/** Why a zone name cannot be deployed, as a clause for a message; undefined when it can. */
export function undeployableZoneReason(zoneName: string): string | undefined {
  const reserved = reservedDomainOf(zoneName);
  if (reserved === undefined) return undefined;
  return `${zoneName} is under ${reserved}, which is reserved for documentation and testing: nobody owns it, so a zone for it can never be delegated${reserved === 'example.com' ? ' (Route 53 refuses it: "reserved by AWS")' : ''}`;
}
