import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState, type FormEvent } from 'react';
import type { Settings } from '../../../shared/dto';
import { api, useAction, useAdminQuery } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { FIELD_GROUPS, parseField, type SettingKey } from './settings-fields';
import { SettingField } from './SettingField';

type Draft = Partial<Record<SettingKey, string>>;

/**
 * Every engine setting. Edits are kept as a draft over the live values (a change made elsewhere shows up
 * in untouched fields); saving sends only the changed fields.
 */
export function SettingsPage() {
  const settings = useAdminQuery('getSettings', {}, { refreshOn: (event) => event.type === 'settings.changed', keepPrevious: true });
  const [draft, setDraft] = useState<Draft>({});
  const [saved, setSaved] = useState(false);
  const [save, saving] = useAction(api.updateSettings);

  if (!settings.data) {
    return (
      <>
        <PageHeader title="Settings" />
        <ErrorAlert error={settings.error} title="Could not load settings" />
        {settings.loading && <Loading />}
      </>
    );
  }
  const base = settings.data;
  const textOf = (key: SettingKey) => draft[key] ?? String(base[key]);
  const fields = FIELD_GROUPS.flatMap((group) => group.fields);
  const checks = fields.map((spec) => ({ spec, result: parseField(spec, textOf(spec.key)) }));
  const invalid = checks.some(({ result }) => !result.ok);
  const changes: Partial<Settings> = {};
  for (const { spec, result } of checks) {
    if (result.ok && draft[spec.key] !== undefined && result.value !== base[spec.key]) {
      Object.assign(changes, { [spec.key]: result.value });
    }
  }
  const changed = Object.keys(changes).length > 0;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (invalid || !changed) return;
    const result = await save(changes);
    if (result) {
      settings.setData(result);
      setDraft({});
      setSaved(true);
    }
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <PageHeader
        title="Settings"
        subtitle="Lifetimes, remember-me, session limits and reuse detection. Changes apply to new tokens and sessions."
        actions={
          <>
            <Button onClick={() => setDraft({})} disabled={Object.keys(draft).length === 0} data-testid="settings-reset">
              Discard changes
            </Button>
            <Button type="submit" variant="contained" disabled={invalid || !changed || saving.busy} data-testid="settings-save">
              Save
            </Button>
          </>
        }
      />
      {saved && !changed && (
        <Alert severity="success" onClose={() => setSaved(false)} data-testid="settings-saved" sx={{ mb: 2 }}>
          Settings saved.
        </Alert>
      )}
      <ErrorAlert error={saving.error} title="Could not save settings" testId="settings-error" />
      <Stack spacing={2}>
        {FIELD_GROUPS.map((group) => (
          <Card variant="outlined" key={group.title}>
            <CardContent>
              <Typography variant="subtitle1" component="h2" gutterBottom>
                {group.title}
              </Typography>
              <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fill, minmax(280px, 1fr))' }}>
                {group.fields.map((spec) => {
                  const check = checks.find((c) => c.spec.key === spec.key)?.result;
                  return (
                    <SettingField
                      key={spec.key}
                      spec={spec}
                      value={textOf(spec.key)}
                      dirty={draft[spec.key] !== undefined && draft[spec.key] !== String(base[spec.key])}
                      error={check && !check.ok ? check.message : null}
                      onChange={(text) => {
                        setSaved(false);
                        setDraft((current) => ({ ...current, [spec.key]: text }));
                      }}
                    />
                  );
                })}
              </Box>
            </CardContent>
          </Card>
        ))}
      </Stack>
    </form>
  );
}
