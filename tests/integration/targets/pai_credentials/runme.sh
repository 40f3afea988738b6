#!/usr/bin/env bash
# Every source of credentials, and no secret in the output. Runs credentials.yml (the themes in tasks/, each with
# its assertions, against the emulator's STS, metadata service and credentials URI) at -vvvv with an Ansible log,
# then collect.yml, and greps all the output, the log, the emulator's request log and its STS record for:
#   - secret values: the harness secret, the profile's secret, a wrong secret, the seeded STS pair's secret and
#     token, the OIDC token (and its parts), and the ECS instance role's secret and token (read after the run from
#     the metadata service, which hands out the same pair until it expires); tokens also percent-encoded once
#     (a query) and twice (a string to sign), and their longest run of letters and digits (any other encoding);
#   - shapes: an emulator token (CAIS...), an AccessKeySecret field, and a Signature, SecurityToken or OIDCToken
#     query parameter (plain or percent-encoded) whose value is not masked.
# Any hit fails the target. A non-secret marker (a session name) travels the same paths and must be found in each
# capture, which proves the grep would see a leak.
set -eu -o pipefail

cd "$(dirname "$0")"
target_dir=$(pwd)
config=${PAI_INTEGRATION_CONFIG:-$target_dir/../../integration_config.yml}
if [ ! -f "$config" ]; then
    echo "$config is missing: run this target through 'make integration', which starts the emulator" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pai_credentials.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/input" "$work/out" "$work/secrets"
chmod 700 "$work/secrets"

random_hex() { od -An -N8 -tx1 /dev/urandom | tr -d ' \n'; }
b64url() { base64 | tr -d '\n=' | tr '+/' '-_'; }
config_value() { sed -n "s/^$1: *\"\{0,1\}\([^\"]*\)\"\{0,1\} *\$/\1/p" "$config"; }
percent_once() { sed 's/%/%25/g; s/+/%2B/g; s/\//%2F/g; s/=/%3D/g'; }
# the longest run of letters and digits of a value: the same in any encoding of it
longest_run() { printf '%s' "$1" | tr -c 'A-Za-z0-9' '\n' | awk 'length($0) > length(run) {run = $0} END {print run}'; }

# Fresh random values per run, so that nothing but a leak can match them. The STS token has "+", "/" and "=" as
# real ones do; the OIDC token is JWT-shaped (header.payload.signature, base64url JSON), which the emulator accepts.
profile_secret="it-profile-secret-$(random_hex)"
wrong_secret="it-wrong-secret-$(random_hex)"
sts_secret="it-sts-secret-$(random_hex)"
sts_token="CAIS$(random_hex)$(random_hex)+it/$(random_hex)=="
oidc_subject="system:serviceaccount:pai-it:$(random_hex)"
oidc_header=$(printf '{"alg":"RS256","kid":"pai-it"}' | b64url)
oidc_payload=$(printf '{"iss":"https://oidc.example.com/pai-it","aud":"sts.aliyuncs.com","sub":"%s","exp":4102444800,"iat":1700000000,"jti":"%s"}' \
    "$oidc_subject" "$(random_hex)" | b64url)
oidc_signature=$(head -c 48 /dev/urandom | b64url)
oidc_token="$oidc_header.$oidc_payload.$oidc_signature"
marker="it-marker-$(random_hex)"

cat > "$work/input/vars.yml" <<VARS
---
pai_cred_profile_secret: "$profile_secret"
pai_cred_wrong_secret: "$wrong_secret"
pai_cred_sts_secret: "$sts_secret"
pai_cred_sts_token: "$sts_token"
pai_cred_oidc_subject: "$oidc_subject"
pai_cred_oidc_token: "$oidc_token"
pai_cred_marker: "$marker"
pai_cred_out: "$work/out"
pai_cred_secrets: "$work/secrets"
VARS

export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_NOCOLOR=1
playbook() {
    # playbook NAME FILE [ARGS...]: run with all output captured in out/run-NAME.log and the Ansible log in
    # out/ansible-NAME.log
    local name=$1 file=$2
    shift 2
    if ! ANSIBLE_LOG_PATH="$work/out/ansible-$name.log" ansible-playbook "$file" -e "@$config" \
            -e "@$work/input/vars.yml" "$@" > "$work/out/run-$name.log" 2>&1; then
        echo "ansible-playbook $file failed; the end of its output:" >&2
        tail -n 80 "$work/out/run-$name.log" >&2
        exit 1
    fi
}

started=$SECONDS
playbook credentials credentials.yml -vvvv
themes_seconds=$((SECONDS - started))
playbook collect collect.yml
echo "credentials.yml ran in ${themes_seconds}s at -vvvv; $(grep -c '^TASK \[' "$work/out/run-credentials.log") tasks"
grep -o 'assume_role cost [^"]*' "$work/out/run-credentials.log" | head -n 1 || true

pair="$work/secrets/ecs-pair.json"
ecs_secret=$(sed -n 's/^ *"AccessKeySecret": *"\([^"]*\)".*$/\1/p' "$pair")
ecs_token=$(sed -n 's/^ *"SecurityToken": *"\([^"]*\)".*$/\1/p' "$pair")

declare -A secrets=(
    [harness_secret]=$(config_value pai_access_key_secret)
    [profile_secret]=$profile_secret
    [wrong_secret]=$wrong_secret
    [sts_secret]=$sts_secret
    [sts_token]=$sts_token
    [sts_token_encoded]=$(printf '%s' "$sts_token" | percent_once)
    [sts_token_encoded_twice]=$(printf '%s' "$sts_token" | percent_once | percent_once)
    [sts_token_letters]=$(longest_run "$sts_token")
    [oidc_token]=$oidc_token
    [oidc_token_payload]=$oidc_payload
    [oidc_token_signature]=$oidc_signature
    [ecs_secret]=$ecs_secret
    [ecs_token]=$ecs_token
    [ecs_token_encoded]=$(printf '%s' "$ecs_token" | percent_once)
    [ecs_token_encoded_twice]=$(printf '%s' "$ecs_token" | percent_once | percent_once)
    [ecs_token_letters]=$(longest_run "$ecs_token")
)
declare -A shapes=(
    [emulator_token]='CAIS[A-Za-z0-9+/]{40}'
    [secret_field]='AccessKeySecret'
    [signature_parameter]='Signature(=|%3D|%253D)[^*]'
    [token_parameter]='SecurityToken(=|%3D|%253D)[^*]'
    [oidc_token_parameter]='OIDCToken(=|%3D|%253D)[^*]'
)

status=0
captures=(run-credentials.log ansible-credentials.log requests.json sts.json)
for capture in "${captures[@]}"; do
    if [ ! -s "$work/out/$capture" ]; then
        echo "FAIL: $capture was not captured" >&2
        status=1
    elif ! grep -qF -- "$marker" "$work/out/$capture"; then
        echo "FAIL: the non-secret marker is missing from $capture, so the grep proves nothing" >&2
        status=1
    fi
done
for name in "${!secrets[@]}"; do
    if [ "${#secrets[$name]}" -lt 16 ]; then
        echo "FAIL: the value of $name is only ${#secrets[$name]} characters long: it was not found" >&2
        status=1
    fi
done
# The masks the shapes rely on are there: the run did send tokens (masked in the log and the messages).
if ! grep -qF -- 'SecurityToken%3D********' "$work/out/run-credentials.log"; then
    echo "FAIL: no masked token in a string to sign: the SignatureDoesNotMatch path of leak.yml did not run" >&2
    status=1
fi

leaks=0
for name in "${!secrets[@]}"; do
    value=${secrets[$name]}
    if [ -n "$value" ] && hits=$(grep -rnF -- "$value" "$work/out"); then
        leaks=$((leaks + 1))
        echo "FAIL: the value of $name appears in the captured output:" >&2
        # show where, with the value itself replaced
        printf '%s\n' "${hits//"$value"/<$name>}" | cut -c1-400 | head -n 20 >&2
    fi
done
for name in "${!shapes[@]}"; do
    if hits=$(grep -rnE -- "${shapes[$name]}" "$work/out"); then
        leaks=$((leaks + 1))
        echo "FAIL: something shaped like a $name (${shapes[$name]}) appears in the captured output:" >&2
        printf '%s\n' "$hits" | cut -c1-400 | head -n 20 >&2
    fi
done
if [ "$leaks" -ne 0 ]; then
    status=1
fi

echo "checked ${#secrets[@]} secret values and ${#shapes[@]} shapes in ${#captures[@]} captures" \
     "($(cat "$work"/out/* | wc -c) bytes): $leaks leaked"
exit $status
