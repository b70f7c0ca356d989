import { describe, expect, it } from 'vitest';
import { hclDeclaresBackend, jsonDeclaresBackend } from '../../../src/core/terraform/hcl-backend-scan.js';

describe('hclDeclaresBackend', () => {
  it('finds backend and cloud blocks inside a top-level terraform block', () => {
    expect(hclDeclaresBackend('terraform {\n  backend "s3" {\n    bucket = "b"\n  }\n}\n')).toBe(true);
    expect(hclDeclaresBackend('terraform {\n  required_version = ">= 1.5"\n  cloud {\n    organization = "o"\n  }\n}\n')).toBe(true);
    expect(hclDeclaresBackend('terraform { backend "local" {} }')).toBe(true);
    expect(hclDeclaresBackend('terraform {\r\n  backend "gcs" {\r\n  }\r\n}\r\n')).toBe(true);
  });

  it('ignores commented-out blocks in every comment style', () => {
    expect(hclDeclaresBackend('# terraform {\n#   backend "s3" {}\n# }\n')).toBe(false);
    expect(hclDeclaresBackend('// terraform { backend "s3" {} }\n')).toBe(false);
    expect(hclDeclaresBackend('/*\nterraform {\n  backend "s3" {}\n}\n*/\nresource "terraform_data" "a" {}\n')).toBe(false);
    expect(hclDeclaresBackend('terraform {\n  # backend "s3" {}\n  required_version = ">= 1.0"\n}\n')).toBe(false);
  });

  it('is not fooled by strings, templates, heredocs or blocks elsewhere', () => {
    expect(hclDeclaresBackend('locals {\n  x = "terraform { backend \\"s3\\" {} }"\n}\n')).toBe(false);
    expect(hclDeclaresBackend('locals {\n  x = "${jsonencode({ a = "}" })} terraform {"\n}\nbackend "s3" {}\n')).toBe(false);
    expect(hclDeclaresBackend('locals {\n  doc = <<-EOT\n    terraform {\n      backend "s3" {}\n    }\n  EOT\n}\n')).toBe(false);
    expect(hclDeclaresBackend('module "m" {\n  source = "./m"\n}\nresource "x" "y" {\n  backend "s3" {}\n}\n')).toBe(false);
    expect(hclDeclaresBackend('terraform {\n  required_providers {\n    backend = { source = "x/backend" }\n  }\n}\n')).toBe(false);
  });

  it('still finds a backend after tricky content', () => {
    const src = 'locals {\n  doc = <<EOT\n}}}\nEOT\n  s = "a}b${"}"}"\n}\n/* } */\nterraform {\n  backend "http" {}\n}\n';
    expect(hclDeclaresBackend(src)).toBe(true);
  });
});

describe('jsonDeclaresBackend', () => {
  it('reads terraform as an object or a list', () => {
    expect(jsonDeclaresBackend('{"terraform":{"backend":{"s3":{}}}}')).toBe(true);
    expect(jsonDeclaresBackend('{"terraform":[{"required_version":">=1"},{"cloud":{}}]}')).toBe(true);
    expect(jsonDeclaresBackend('{"resource":{"terraform_data":{"a":{}}}}')).toBe(false);
    expect(jsonDeclaresBackend('not json')).toBe(false);
  });
});
