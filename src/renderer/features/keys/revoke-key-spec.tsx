/**
 * The revoke confirmation for a signing key: what dies, which key takes over, and what that costs a verifier
 * that caches the JWKS. Revoking the active key promotes the published next key (gap-free for verifiers that
 * fetched the JWKS since it was published); revoking the next key only replaces it.
 */
import type { KeyInfo } from '../../../shared/dto';
import { api } from '../../api';
import { CopyableId } from '../../components/CopyableId';
import { AbsoluteTime } from '../../components/TimeText';
import type { ActionSpec } from '../actions/use-confirm-action';
import { CACHED_JWKS_COST } from './key-states';

function dying(liveTokens: number): string {
  return liveTokens > 0 ? ` — ${liveTokens} live access token${liveTokens === 1 ? '' : 's'} die with it` : '';
}

function Takeover({ keyInfo, next }: { keyInfo: KeyInfo; next: KeyInfo | undefined }) {
  if (keyInfo.status === 'next') {
    return (
      <span data-testid="revoke-key-cost" data-kind="next">
        This key has signed nothing yet: revoke it if its private half may have leaked. A new next key replaces it at
        once; verifiers pick that one up at their next JWKS fetch. Nothing that is signing now changes.
      </span>
    );
  }
  if (keyInfo.status !== 'active') {
    return (
      <span data-testid="revoke-key-cost" data-kind="not_signing">
        It no longer signs, so nothing else changes.
      </span>
    );
  }
  if (next) {
    return (
      <span data-testid="revoke-key-cost" data-kind="gap_free">
        The next key <CopyableId value={next.kid} label="key id" />, published since <AbsoluteTime at={next.createdAt} />,
        signs from now on: gap-free for verifiers that fetched the JWKS since then. A new next key is published.
      </span>
    );
  }
  return (
    <span data-testid="revoke-key-cost" data-kind="new_key">
      No next key is published, so a new key signs at once. {CACHED_JWKS_COST}
    </span>
  );
}

export function revokeKeySpec(keyInfo: KeyInfo, next: KeyInfo | undefined): ActionSpec {
  const { kid, liveTokens } = keyInfo;
  return {
    title: `Revoke signing key ${kid}`,
    description: (
      <>
        Emergency only: every token this key signed becomes invalid at once{dying(liveTokens)}, and feed-subscribed
        resource servers are told. <Takeover keyInfo={keyInfo} next={next} /> Use rotation for routine key changes.
      </>
    ),
    target: { kind: 'key', kid },
    confirmLabel: 'Revoke key',
    run: (reason) => api.revokeSigningKey({ kid, reason }),
  };
}
