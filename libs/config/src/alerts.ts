import { z } from 'zod';
import { DEFAULT_ENVIRONMENT_NAME, DEPLOYED_ENVIRONMENTS } from './defaults';
import { reservedDomainOf } from './domains';

/** How an alert reaches a person or a paging service. */
export const ALERT_PROTOCOLS = ['email', 'https'] as const;
export type AlertProtocol = (typeof ALERT_PROTOCOLS)[number];

/**
 * One endpoint subscribed to every alert topic of the environment. Both protocols need the
 * endpoint's owner to confirm before SNS delivers anything: an address confirms from the message
 * SNS mails it, an HTTPS endpoint by visiting the `SubscribeURL` SNS posts to it.
 * https://docs.aws.amazon.com/cli/latest/reference/sns/subscribe.html
 * https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.confirm.html
 */
export const alertSubscriptionSchema = z.discriminatedUnion(
  'protocol',
  [
    z.strictObject({
      protocol: z.literal('email'),
      /** The mailbox SNS sends each alert to. */
      endpoint: z.email('must be an e-mail address'),
    }),
    z.strictObject({
      protocol: z.literal('https'),
      /** The URL SNS posts each alert to, as JSON. */
      endpoint: z
        .url({ protocol: /^https$/, hostname: z.regexes.domain, error: 'must be an https:// URL on a DNS name' })
        // Environment files are committed and the endpoint lands in plan and state as written.
        .refine((value) => !/^https:\/\/[^/]*@/.test(value), 'must not carry a user name or password: environment files are committed'),
    }),
  ],
  { error: `protocol must be one of ${ALERT_PROTOCOLS.join(', ')}` },
);
export type AlertSubscription = z.output<typeof alertSubscriptionSchema>;

function reservedClause(domain: string): string {
  return `is under ${domain.includes('.') ? domain : `.${domain}`}, which is reserved for documentation and testing and reaches nobody`;
}

/**
 * Why an endpoint is a stand-in rather than someone who reads alerts, or undefined when it is not:
 * empty, under a domain reserved for documentation and testing (domains.ts), which no mailbox or
 * server of anyone's can be at, or the `test@` mailbox.
 */
export function placeholderReason(subscription: AlertSubscription): string | undefined {
  const endpoint = subscription.endpoint.trim();
  if (endpoint === '') return 'is empty';
  if (subscription.protocol === 'https') {
    const reserved = URL.canParse(endpoint) ? reservedDomainOf(new URL(endpoint).hostname) : undefined;
    return reserved === undefined ? undefined : reservedClause(reserved);
  }
  const at = endpoint.lastIndexOf('@');
  const mailbox = endpoint.slice(0, at).toLowerCase();
  const reserved = reservedDomainOf(endpoint.slice(at + 1));
  if (reserved !== undefined) return reservedClause(reserved);
  if (mailbox === 'test' || mailbox.startsWith('test+')) return 'is the test@ mailbox, a stand-in';
  return undefined;
}

/** One problem with the alert subscriptions, at its path under the environment. */
export interface AlertIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * What is wrong with an environment's subscriptions as a whole, beyond each entry's shape:
 * - anywhere, a repeated endpoint: two resources for one SNS subscription, which a destroy of
 *   either would remove;
 * - outside `dev` (DEFAULT_ENVIRONMENT_NAME), a placeholder endpoint: a copied sample;
 * - in the environments the pipelines deploy (DEPLOYED_ENVIRONMENTS), no endpoint at all, which
 *   would leave every alarm talking to nobody. Other names (a scratch environment, the stack
 *   tests' `ci`) may have none, as they may have no account id.
 */
export function alertIssues(
  environmentName: string,
  subscriptions: readonly AlertSubscription[],
  /** Whether the entry at a position passed the schema; the others are left to their own issues. @default every entry */
  wellFormed: (index: number) => boolean = () => true,
): AlertIssue[] {
  const issues: AlertIssue[] = [];
  const placeholdersAllowed = environmentName === DEFAULT_ENVIRONMENT_NAME;
  if ((DEPLOYED_ENVIRONMENTS as readonly string[]).includes(environmentName) && subscriptions.length === 0) {
    issues.push({
      path: ['alerts', 'subscriptions'],
      message: `is empty, so every alarm of ${environmentName} would reach nobody: add an e-mail or https endpoint`,
    });
  }
  const seen = new Map<string, number>();
  subscriptions.forEach((subscription, index) => {
    if (!wellFormed(index)) return;
    const key = `${subscription.protocol} ${subscription.protocol === 'email' ? subscription.endpoint.toLowerCase() : subscription.endpoint}`;
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push({ path: ['alerts', 'subscriptions', index], message: `repeats alerts.subscriptions[${first}] (${subscription.protocol} ${subscription.endpoint})` });
    } else {
      seen.set(key, index);
    }
    const reason = placeholdersAllowed ? undefined : placeholderReason(subscription);
    if (reason) {
      issues.push({
        path: ['alerts', 'subscriptions', index, 'endpoint'],
        message: `${subscription.endpoint} ${reason}: alerts of ${environmentName} must reach someone (only ${DEFAULT_ENVIRONMENT_NAME} may use a placeholder)`,
      });
    }
  });
  return issues;
}
