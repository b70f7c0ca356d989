/** Small terraform configurations built only on `terraform_data` (works offline). */

/** `count` resources named r0..r{n-1}, each with `input = value`. */
export function tfData(count: number, value = 'v1', extra = ''): string {
  return (
    Array.from({ length: count }, (_, i) => `resource "terraform_data" "r${i}" {\n  input = "${value}"\n}\n`).join('\n') + extra
  );
}

/** A resource whose apply takes `seconds` (a local-exec provisioner): for cancel and crash tests. */
export function slowApply(seconds: number, value = 'v1'): string {
  return `resource "terraform_data" "slow" {
  input = "${value}"
  provisioner "local-exec" {
    command = "sleep ${seconds}"
  }
}
`;
}

/** A variable echoed in an output: proves extra args reach terraform literally. */
export const echoVariable = `variable "marker" {
  type    = string
  default = "none"
}
resource "terraform_data" "echo" {
  input = var.marker
}
output "marker" {
  value = var.marker
}
`;

export function atlantisYaml(projects: { name: string; dir: string; workspace?: string; extra?: string }[]): string {
  return (
    'version: 3\nprojects:\n' +
    projects.map((p) => `- name: ${p.name}\n  dir: ${p.dir}\n${p.workspace ? `  workspace: ${p.workspace}\n` : ''}${p.extra ?? ''}`).join('')
  );
}
