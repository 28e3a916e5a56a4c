import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import { useEffect, useState } from 'react';
import type { CertificateInfo } from '../../../shared/deployments';
import { api, toApiError, type ApiError } from '../../api';
import { CopyableId } from '../../components/CopyableId';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';

/**
 * Trust on first use: the main process fetches the server's leaf certificate and the admin confirms its
 * fingerprint (compare it with the server's, e.g. `openssl x509 -noout -fingerprint -sha256`) before it is pinned.
 */
export function CertificateConfirm({ baseUrl, onTrust, onCancel }: { baseUrl: string; onTrust: (sha256: string) => void; onCancel: () => void }) {
  const [cert, setCert] = useState<CertificateInfo | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  useEffect(() => {
    let live = true;
    api
      .fetchDeploymentCertificate({ baseUrl })
      .then((value) => live && setCert(value))
      .catch((caught: unknown) => live && setError(toApiError(caught)));
    return () => {
      live = false;
    };
  }, [baseUrl]);

  if (error) {
    return (
      <Stack spacing={1} data-testid="deployment-cert">
        <ErrorAlert error={error} title="Could not fetch the certificate" testId="deployment-cert-error" />
        <div>
          <Button onClick={onCancel}>Close</Button>
        </div>
      </Stack>
    );
  }
  if (!cert) return <Loading label="Fetching the certificate" testId="deployment-cert-loading" />;
  return (
    <Alert severity={cert.authorized ? 'info' : 'warning'} data-testid="deployment-cert" data-authorized={cert.authorized}>
      <AlertTitle>Trust this certificate?</AlertTitle>
      <Stack spacing={0.5}>
        <div>
          SHA-256: <CopyableId value={cert.sha256} label="certificate fingerprint" testId="deployment-cert-sha256" wrap />
        </div>
        <div>Subject: {cert.subject}</div>
        <div>Issued by: {cert.issuer}</div>
        <div>
          Valid {cert.validFrom} to {cert.validTo}
        </div>
        <div>{cert.authorized ? 'This computer trusts its issuer.' : `This computer does not trust it (${cert.authorizationError ?? 'unknown'}): pin it only if the fingerprint is the server's.`}</div>
        <Stack direction="row" spacing={1} sx={{ pt: 1 }}>
          <Button variant="contained" onClick={() => onTrust(cert.sha256)} data-testid="deployment-cert-trust">
            Pin this certificate
          </Button>
          <Button onClick={onCancel} data-testid="deployment-cert-cancel">
            Don't pin
          </Button>
        </Stack>
      </Stack>
    </Alert>
  );
}
