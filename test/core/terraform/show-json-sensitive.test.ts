import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseShowJson } from '../../../src/core/terraform/show-json.js';
import { makeTerraformDir } from '../../harness/terraform.js';

/**
 * What Atlantas keeps from a plan (parseShowJson → a run's resource changes) carries no value at
 * all, so a `sensitive = true` variable or output can never reach a run's JSON or a PR comment,
 * even though `terraform show -json` prints it in clear.
 */
describe('parseShowJson on a real plan with sensitive values', () => {
  it('returns addresses, actions and output names, never a value (sensitive or not)', async () => {
    const secret = `sens-${randomBytes(8).toString('hex')}`;
    const plain = `plain-${randomBytes(8).toString('hex')}`;
    const tf = await makeTerraformDir();
    onTestFinished(() => tf.cleanup());
    const config = (value: string) => `variable "password" {
  type      = string
  sensitive = true
  default   = "${value}"
}
resource "terraform_data" "secret" {
  input = { password = var.password, label = "${plain}" }
}
resource "terraform_data" "plain" {
  input = "${plain}"
}
output "password" {
  value     = var.password
  sensitive = true
}
`;
    await tf.write({ 'main.tf': config(secret) });
    expect((await tf.run(['init'])).code).toBe(0);
    expect((await tf.run(['apply', '-auto-approve'])).code).toBe(0);
    await tf.write({ 'main.tf': config(`${secret}-2`) }); // an update: the secret is in `before` and `after`
    const plan = await tf.run(['plan', '-out', 'p.tfplan']);
    expect(plan.code, plan.output).toBe(0);
    const show = await tf.run(['show', '-json', 'p.tfplan']);
    expect(show.stdout).toContain(secret); // the plan JSON holds it in clear (positive control)

    const details = parseShowJson(show.stdout);
    expect(details.resourceChanges.map((c) => [c.address, c.action])).toEqual([['terraform_data.secret', 'update']]);
    expect(details.outputChanges).toEqual([{ name: 'password', action: 'update', sensitive: true }]);
    const kept = JSON.stringify(details);
    expect(kept).not.toContain(secret);
    expect(kept).not.toContain(plain);
  });
});
