/**
 * The Terraform versions that can plan and apply the stacks, as a `required_version` constraint.
 * Every stack declares it (`terraform.required_version`, so an older Terraform stops at `init`
 * with "Unsupported Terraform Core version" before it touches state), and the stack runner checks
 * the installed `terraform version` against it before a diff or deploy, so the two never disagree.
 *
 * Why 1.11: the stacks pass the database password only through write-only arguments
 * (`master_password_wo` on the clusters, `secret_string_wo` on the secret version), which
 * "you must use Terraform v1.11 or later" to use. The ephemeral resource that generates it needs
 * 1.10, and native S3 state locking (`use_lockfile`) became generally available in 1.11.0.
 * https://developer.hashicorp.com/terraform/language/manage-sensitive-data/write-only
 * https://github.com/hashicorp/terraform/blob/v1.11/CHANGELOG.md
 * https://developer.hashicorp.com/terraform/language/expressions/version-constraints
 */
export const TERRAFORM_REQUIRED_VERSION = '>= 1.11.0';

/** Where to get a Terraform that satisfies `TERRAFORM_REQUIRED_VERSION`, for messages. */
export const TERRAFORM_INSTALL_URL = 'https://developer.hashicorp.com/terraform/install';
