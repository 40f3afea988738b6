# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment(object):
    # Options every alicloud.pai module takes. Each can also be set once for a play with
    # module_defaults and the action group alicloud.pai.pai.
    DOCUMENTATION = r"""
options:
  access_key_id:
    description:
      - The AccessKey ID used to sign requests.
      - When unset, E(ALIBABA_CLOUD_ACCESS_KEY_ID) or the legacy E(ALICLOUD_ACCESS_KEY) is used, and when
        neither the option nor the environment gives a key pair, the profile file (see O(profile)).
    type: str
  access_key_secret:
    description:
      - The AccessKey secret used to sign requests. Never shown in any output.
      - When unset, E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) or the legacy E(ALICLOUD_SECRET_KEY) is used.
    type: str
  security_token:
    description:
      - An STS security token, for temporary credentials. Never shown in any output.
      - It belongs to the key pair given with it, so it is only accepted together with O(access_key_id) and
        O(access_key_secret); set alone, it fails the task. When unset, and the key pair comes from the
        environment, E(ALIBABA_CLOUD_SECURITY_TOKEN) or the legacy E(ALICLOUD_SECURITY_TOKEN) is used.
    type: str
  region:
    description:
      - The region of the PAI workspace, for example V(cn-hangzhou). It chooses the API endpoint.
      - When unset, E(ALIBABA_CLOUD_REGION_ID), the legacy E(ALICLOUD_REGION), or the profile's C(region_id) is used.
      - Not needed when O(endpoint) is set.
    type: str
    aliases: [region_id]
  profile:
    description:
      - The profile to read from the Alibaba Cloud CLI configuration file (C(~/.aliyun/config.json)).
        Profiles of mode C(AK), C(StsToken), C(RamRoleArn), C(ChainableRamRoleArn) (following C(source_profile),
        without cycles), C(EcsRamRole) and C(OIDC) are supported; other modes fail naming the mode.
      - When unset, E(ALIBABA_CLOUD_PROFILE) or the legacy E(ALICLOUD_PROFILE) is used, else the file's C(current) profile.
      - The profile is read when neither the options nor the environment give an access key pair (the pair, and
        the C(sts_token) of an C(StsToken) profile, then come from it), or when no region and no endpoint are given
        otherwise (for its C(region_id)).
    type: str
  shared_credentials_file:
    description:
      - Path of the CLI configuration file to read profiles from.
      - When unset, E(ALICLOUD_SHARED_CREDENTIALS_FILE) is used, else C(~/.aliyun/config.json).
    type: path
  endpoint:
    description:
      - The API endpoint, as a host name (HTTPS is used) or a full URL such as V(http://127.0.0.1:8765) for the
        local emulator. Overrides the endpoint derived from O(region).
      - When unset, E(ALIBABA_CLOUD_ENDPOINT_AIWORKSPACE) or E(AIWORKSPACE_ENDPOINT) is used.
    type: str
  assume_role:
    description:
      - Assume this RAM role with the credentials found by the other settings (any source), and sign with the
        role's temporary credentials. Costs one STS request per task (no credentials are cached between tasks).
      - When unset, E(ALICLOUD_ASSUME_ROLE_ARN) (with E(ALICLOUD_ASSUME_ROLE_SESSION_NAME) and
        E(ALIBABA_CLOUD_EXTERNAL_ID)) assumes a role the same way. E(ALIBABA_CLOUD_ROLE_ARN) does not; as in the
        official SDK chain, it is only used with OIDC.
    type: dict
    suboptions:
      role_arn:
        description: The role, V(acs:ram::<account id>:role/<role name>).
        type: str
        required: true
      session_name:
        description: The session name shown in ActionTrail, 2 to 64 letters, digits and C(. @ - _).
          Defaults to V(alicloud-pai-<unix time>).
        type: str
      duration_seconds:
        description: How long the temporary credentials last, 900 to 43200 seconds (up to the role's maximum).
        type: int
        default: 3600
      external_id:
        description: The external id the role's trust policy asks for (cross-account roles).
        type: str
      policy:
        description: A RAM policy (JSON text or a dict) that narrows what the assumed role may do.
        type: json
  ecs_role:
    description:
      - Use the RAM role attached to the ECS instance the task runs on, discovering its name from the instance
        metadata service unless O(ecs_role_name) is given. The metadata service is only asked when this option,
        O(ecs_role_name), E(ALIBABA_CLOUD_ECS_METADATA) or E(ALICLOUD_ECS_ROLE_NAME) says so.
    type: bool
    default: false
  ecs_role_name:
    description:
      - The name of the ECS instance RAM role to use (implies O(ecs_role)).
      - When unset, E(ALIBABA_CLOUD_ECS_METADATA) or E(ALICLOUD_ECS_ROLE_NAME) is used, after the other
        environment sources.
    type: str
  ecs_metadata_endpoint:
    description:
      - The instance metadata service, V(http://100.100.100.200) by default. An IMDSv2 token is asked for first.
    type: str
  ecs_metadata_v1_fallback:
    description:
      - Whether the metadata service may be read without an IMDSv2 token when none can be had. When unset, it
        may, unless E(ALIBABA_CLOUD_IMDSV1_DISABLED) is V(true) (as in the official SDK).
    type: bool
  credentials_uri:
    description:
      - A URL that answers temporary credentials as JSON (C(Code), C(AccessKeyId), C(AccessKeySecret),
        C(SecurityToken), C(Expiration)).
      - When unset, E(ALIBABA_CLOUD_CREDENTIALS_URI) or E(ALICLOUD_CREDENTIALS_URI) is used, last of all sources.
    type: str
  sts_region:
    description:
      - The region whose STS endpoint assumes roles (C(sts.<region>.aliyuncs.com), or C(sts-vpc.<region>.aliyuncs.com)
        when E(ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED) is V(true), as the ACK RRSA webhook sets it); the central
        C(sts.aliyuncs.com) when unset and E(ALIBABA_CLOUD_STS_REGION) is not set either.
    type: str
  sts_endpoint:
    description:
      - The STS endpoint, as a host name (HTTPS) or a full URL, for example the local emulator's. Overrides
        O(sts_region).
      - When unset, E(ALIBABA_CLOUD_STS_ENDPOINT) is used (the ACK RRSA webhook sets it).
    type: str
  validate_certs:
    description:
      - Whether to verify the endpoint's TLS certificate. Only turn this off for a test endpoint you trust.
    type: bool
    default: true
  connect_timeout:
    description:
      - Seconds to wait for a connection to the endpoint.
    type: float
    default: 10
  timeout:
    description:
      - Seconds to wait for an answer once a request was sent.
    type: float
    default: 60
  max_retries:
    description:
      - How many times a request is retried when the API throttles (C(Throttling.*) codes, HTTP 429), is unavailable
        (HTTP 503, C(ServiceUnavailable)), or cannot be reached. Reads, updates and deletes are also retried on any
        other HTTP 5xx answer and after a timeout or dropped connection. Retries wait with jittered exponential
        backoff (0.5 s doubling, at most 20 s) or as long as the API's C(x-acs-retry-after) header asks.
      - Create requests are never re-sent when they may have reached the API (a timeout or dropped connection after
        sending, or an HTTP 5xx other than 503); see O(recovery_timeout).
      - TLS and certificate errors are not retried.
      - 'An error that was retried ends with how many attempts were made, over how long, how much of it was spent
        waiting, and what stopped the retries, for example "(5 attempts in 9.8 s, 7.5 s of it waiting between them;
        stopped: max_retries (4) reached)". With V(0), a retryable error ends with "(not retried: max_retries is 0)".'
    type: int
    default: 4
  recovery_timeout:
    description:
      - How many seconds a resource module keeps looking for the result of a create whose answer was lost (a
        timeout, a dropped connection or an HTTP 5xx after the request was sent). The create is never sent again;
        the module looks the object up by name, about every few seconds, and keeps it if it appears. When it
        does not appear in time, the task fails with C(changed=true), saying the create may still happen.
      - Info modules do not write and ignore it.
    type: float
    default: 30
  retry_max_wait:
    description:
      - 'The most seconds one request may spend waiting between retries in total. A retry whose wait would pass
        it is not made; the error then ends with "stopped: waiting <seconds> s more would pass retry_max_wait (60 s)".'
    type: float
    default: 60
requirements:
  - requests
notes:
  - Settings are resolved in this order - the task option, then the environment variable, then the CLI profile
    file. The access key pair and its security token are taken together from the first of those places that has
    any of them, so half a pair or a stale token from another place is never mixed in.
  - Credentials come from the first of these sources that applies - the task's key pair; the task's O(ecs_role) or
    O(ecs_role_name); the task's O(credentials_uri); the environment's key pair; OIDC (E(ALIBABA_CLOUD_ROLE_ARN),
    E(ALIBABA_CLOUD_OIDC_PROVIDER_ARN) and E(ALIBABA_CLOUD_OIDC_TOKEN_FILE) all set); the CLI profile (modes
    C(AK), C(StsToken), C(RamRoleArn), C(ChainableRamRoleArn), C(EcsRamRole), C(OIDC)); the environment's ECS
    role name; the environment's credentials URI. Then O(assume_role) applies. See the authentication guide.
  - Authentication errors (for example C(SignatureDoesNotMatch)) say where the credentials came from.
  - Secrets (O(access_key_secret), O(security_token), connection secrets) are masked in results, diffs and
    error messages.
  - 'A dict or a list given to an option of type C(str) fails the task naming the option, instead of being turned
    into its Python text, for example "label must be a string, got a dict; labels takes a dict".'
"""
