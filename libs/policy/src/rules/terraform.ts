import { TERRAFORM_REQUIRED_VERSION } from '@txn-dr/contracts';
import { fail, pass, type StackFinding } from '../engine/types';
import { stacksRule } from './util';

const SETTING = 'terraform.required_version';

export const terraformRules = [
  stacksRule({
    id: 'terraform-required-version',
    mirrors: null,
    title: `Every stack declares terraform.required_version "${TERRAFORM_REQUIRED_VERSION}", the constraint the stack runner checks (write-only arguments need Terraform 1.11)`,
    severity: 'high',
    check: (stacks) =>
      stacks.map((stack): StackFinding => {
        const declared = (stack.json.terraform as { required_version?: unknown } | undefined)?.required_version;
        const outcome =
          declared === TERRAFORM_REQUIRED_VERSION
            ? pass()
            : declared === undefined
              ? fail('not set: an older Terraform would start a plan it cannot finish, at the first write-only argument')
              : fail(`is ${JSON.stringify(declared)}, not the contract's "${TERRAFORM_REQUIRED_VERSION}" that the stack runner checks before a deploy`);
        return { stack: stack.name, resource: SETTING, outcome };
      }),
  }),
];
