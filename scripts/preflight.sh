#!/usr/bin/env bash
# Stops a plan or deploy at once when what it needs is missing: an environment name, a terraform CLI, AWS credentials.
set -euo pipefail
env_name="${1:-}"
known=$(ls environments/*.json 2>/dev/null | xargs -n1 basename | sed 's/\.json$//' | tr '\n' ' ')
if [[ -z "$env_name" ]]; then
  echo "error: no environment given. Fix: add ENV=<name>, one of: $known(e.g. make plan ENV=dev)." >&2
  exit 2
fi
if [[ ! -f "environments/$env_name.json" ]]; then
  echo "error: unknown environment '$env_name'. Fix: use one of: $known" >&2
  exit 2
fi
if ! command -v terraform >/dev/null 2>&1 && ! command -v tofu >/dev/null 2>&1; then
  echo "error: no terraform CLI on PATH. Fix: install Terraform >= 1.10 (or OpenTofu >= 1.10 with TERRAFORM_BINARY_NAME=tofu) and retry." >&2
  exit 3
fi
has_credentials=false
if [[ -n "${AWS_ACCESS_KEY_ID:-}" && -n "${AWS_SECRET_ACCESS_KEY:-}" ]]; then has_credentials=true; fi
if [[ -n "${AWS_PROFILE:-}" || -n "${AWS_WEB_IDENTITY_TOKEN_FILE:-}" || -n "${AWS_CONTAINER_CREDENTIALS_FULL_URI:-}" || -n "${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-}" ]]; then has_credentials=true; fi
if [[ -f "${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}" ]]; then has_credentials=true; fi
if [[ "$has_credentials" != true ]]; then
  echo "error: no AWS credentials found for '$env_name'. Fix: export AWS_PROFILE=<profile with access to the account in environments/$env_name.json>," >&2
  echo "       or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), then retry. Synth and tests need none." >&2
  exit 3
fi
