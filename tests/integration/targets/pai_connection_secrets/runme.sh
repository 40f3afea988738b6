#!/usr/bin/env bash
# Secrets never leak. Runs leak.yml (every path a secret travels through) at -vvvv with --diff, then
# examples/connections.yml in check mode, for real and again (which must report changed=0), all at -vvvv --diff,
# against the emulator. Captures all output, the registered results and the emulator's request log and state,
# then greps everything for each secret value: any hit fails the target. A non-secret marker value travels the
# same paths and must be found in each capture, which proves the grep would see a leak.
set -eu -o pipefail

cd "$(dirname "$0")"
target_dir=$(pwd)
config=${PAI_INTEGRATION_CONFIG:-$target_dir/../../integration_config.yml}
example=$target_dir/../../../../examples/connections.yml
if [ ! -f "$config" ]; then
    echo "$config is missing: run this target through 'make integration', which starts the emulator" >&2
    exit 1
fi
if [ ! -f "$example" ]; then
    echo "$example is missing (the needs/file alias copies it for ansible-test)" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pai_connection_secrets.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/input" "$work/out"

random_hex() { od -An -N8 -tx1 /dev/urandom | tr -d ' \n'; }

# Fresh random values per run, so that nothing but a leak can match them. Names mirror leak.yml's variables.
declare -A secrets=(
    [pai_secrets_api_key_1]="it-api-key-one-$(random_hex)"
    [pai_secrets_api_key_2]="it-api-key-two-$(random_hex)"
    [pai_secrets_password]="it-password-$(random_hex)"
    [pai_secrets_seeded]="it-seeded-secret-$(random_hex)"
    [pai_secrets_wrong_access_key_secret]="it-wrong-ak-secret-$(random_hex)"
    [pai_secrets_sts_access_key_secret]="it-sts-ak-secret-$(random_hex)"
    [pai_secrets_sts_token]="it-sts-token-$(random_hex)"
    [pai_secrets_wrong_sts_token]="it-wrong-sts-token-$(random_hex)"
    [pai_dashscope_api_key]="it-example-dashscope-key-$(random_hex)"
)
marker="it-visible-marker-$(random_hex)"

{
    echo "---"
    for name in "${!secrets[@]}"; do
        echo "$name: \"${secrets[$name]}\""
    done
    echo "pai_secrets_marker: \"$marker\""
    echo "pai_secrets_out: \"$work/out\""
} > "$work/input/vars.yml"

# The emulator's own access key secret must not appear either.
emulator_secret=$(sed -n 's/^pai_access_key_secret: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$config")
if [ -n "$emulator_secret" ]; then
    secrets[pai_access_key_secret]=$emulator_secret
fi

export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_NOCOLOR=1
playbook() {
    # playbook PHASE FILE [ARGS...]: run at -vvvv with all output captured in out/run-PHASE.log
    local phase=$1 file=$2
    shift 2
    if ! ansible-playbook "$file" -vvvv -e "@$config" -e "@$work/input/vars.yml" "$@" > "$work/out/run-$phase.log" 2>&1; then
        echo "ansible-playbook $file ($phase) failed; the end of its output:" >&2
        tail -n 60 "$work/out/run-$phase.log" >&2
        exit 1
    fi
}
changed_total() {
    # the sum of changed=N in the PLAY RECAP of a captured run
    sed -n '/PLAY RECAP/,$p' "$1" | grep -o 'changed=[0-9]*' | cut -d= -f2 | awk '{s += $1} END {print s + 0}'
}

playbook leak leak.yml --diff
playbook collect-leak collect.yml -e pai_secrets_phase=leak

# The example takes its credentials from the environment, as an AWX credential injects them.
ALIBABA_CLOUD_ACCESS_KEY_ID=$(sed -n 's/^pai_access_key_id: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$config")
ALIBABA_CLOUD_ACCESS_KEY_SECRET=$emulator_secret
export ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET
playbook example-check "$example" --check --diff
playbook example-apply "$example" --diff
playbook example-again "$example" --diff
playbook collect-example collect.yml -e pai_secrets_phase=example

status=0

# The example: the first real run changes, the second changes nothing.
if [ "$(changed_total "$work/out/run-example-apply.log")" -eq 0 ]; then
    echo "FAIL: examples/connections.yml reported no change on its first run" >&2
    status=1
fi
if [ "$(changed_total "$work/out/run-example-again.log")" -ne 0 ]; then
    echo "FAIL: examples/connections.yml is not idempotent: changed=$(changed_total "$work/out/run-example-again.log") on its second run" >&2
    status=1
fi

captures=(run-leak.log run-example-check.log run-example-apply.log run-example-again.log results-leak.json
          requests-leak.json state-leak.json requests-example.json state-example.json)
for capture in "${captures[@]}"; do
    if [ ! -s "$work/out/$capture" ]; then
        echo "FAIL: $capture was not captured" >&2
        status=1
    fi
done

# The grep works: the marker is in every capture of leak.yml (output, results, request log and state).
for capture in run-leak.log results-leak.json requests-leak.json state-leak.json; do
    if ! grep -qF -- "$marker" "$work/out/$capture"; then
        echo "FAIL: the non-secret marker is missing from $capture, so the grep proves nothing" >&2
        status=1
    fi
done
# ... and the example's runs show what they managed.
for capture in run-example-apply.log requests-example.json; do
    if ! grep -qF -- "example_connection" "$work/out/$capture"; then
        echo "FAIL: example_connection is missing from $capture" >&2
        status=1
    fi
done

# No secret anywhere.
leaks=0
for name in "${!secrets[@]}"; do
    value=${secrets[$name]}
    if hits=$(grep -rnF -- "$value" "$work/out"); then
        leaks=$((leaks + 1))
        echo "FAIL: the value of $name appears in the captured output:" >&2
        # show where, with the value itself replaced
        printf '%s\n' "$hits" | cut -c1-400 | sed "s/$value/<$name>/g" | head -n 20 >&2
    fi
done
if [ "$leaks" -ne 0 ]; then
    status=1
fi

echo "checked ${#secrets[@]} secret values in ${#captures[@]} captures ($(cat "$work"/out/* | wc -c) bytes): $leaks leaked"
exit $status
