import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useEffect, useState, type FormEvent } from 'react';
import type { Settings } from '../../../shared/dto';
import { api, useAction, useAdminQuery } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { RoleButton } from '../../components/RoleButton';
import { useCan } from '../../lib/role';
import { amountIn, bestUnit, toSeconds, type DurationUnit } from './duration-units';
import { LeaveSettingsDialog } from './LeaveSettingsDialog';
import { FIELD_GROUPS, parseField, type FieldSpec, type SettingKey } from './settings-fields';
import { checkRules } from './settings-rules';
import { SettingField } from './SettingField';
import { useLeaveGuard } from './use-leave-guard';

type Draft = Partial<Record<SettingKey, string>>;
type Units = Partial<Record<SettingKey, DurationUnit>>;

/**
 * The draft outlives the page: the Back button leaves without asking (the browser gives no way to), so
 * coming back finds the edits where they were instead of losing them silently.
 */
let kept: { draft: Draft; units: Units } = { draft: {}, units: {} };

type Check = { ok: true; value: Settings[SettingKey] } | { ok: false; message: string };

/**
 * Every engine setting. Edits are kept as a draft over the live values (a change made elsewhere shows up in
 * untouched fields); each field says what is wrong with it as it is typed, cross-field rules included;
 * saving sends only the changed fields; leaving with unsaved edits asks first.
 */
export function SettingsPage() {
  const settings = useAdminQuery('getSettings', {}, { refreshOn: (event) => event.type === 'settings.changed', keepPrevious: true });
  const [draft, setDraft] = useState<Draft>(kept.draft);
  const [units, setUnits] = useState<Units>(kept.units);
  const [restored] = useState(() => Object.keys(kept.draft).length > 0);
  const [saved, setSaved] = useState(false);
  const [save, saving] = useAction(api.updateSettings);
  const canSave = useCan('updateSettings');
  useEffect(() => {
    kept = { draft, units };
  }, [draft, units]);

  const base = settings.data;
  const fields = FIELD_GROUPS.flatMap((group) => group.fields);
  const unitOf = (key: SettingKey): DurationUnit => units[key] ?? (base ? bestUnit(base[key] as number) : 'seconds');
  const textOf = (spec: FieldSpec): string => {
    const typed = draft[spec.key];
    if (typed !== undefined) return typed;
    if (!base) return '';
    return spec.kind === 'seconds' ? amountIn(base[spec.key] as number, unitOf(spec.key)) : String(base[spec.key]);
  };
  const checkOf = (spec: FieldSpec): Check => {
    const text = textOf(spec);
    if (spec.kind !== 'seconds') return parseField(spec, text);
    const seconds = toSeconds(text, unitOf(spec.key));
    return seconds.ok ? parseField(spec, String(seconds.seconds)) : seconds;
  };
  const checks = new Map(fields.map((spec) => [spec.key, checkOf(spec)]));
  const values: Partial<Settings> = base ? { ...base } : {};
  const changes: Partial<Settings> = {};
  for (const [key, check] of checks) {
    if (!check.ok) {
      delete values[key];
      continue;
    }
    Object.assign(values, { [key]: check.value });
    if (base && check.value !== base[key]) Object.assign(changes, { [key]: check.value });
  }
  const findings = base ? checkRules(values) : [];
  const invalid = [...checks.values()].some((check) => !check.ok) || findings.some((finding) => finding.severity === 'error');
  const changed = Object.keys(changes).length > 0;
  const unsaved = changed || [...checks.entries()].some(([key, check]) => !check.ok && draft[key] !== undefined);

  const discard = () => {
    setDraft({});
    setUnits({});
    kept = { draft: {}, units: {} };
  };
  const guard = useLeaveGuard(unsaved);

  if (!base) {
    return (
      <>
        <PageHeader title="Settings" />
        <ErrorAlert error={settings.error} title="Could not load settings" />
        {settings.loading && <Loading />}
      </>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (invalid || !changed) return;
    const result = await save(changes);
    if (result) {
      settings.setData(result);
      discard();
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
            <Button onClick={discard} disabled={!unsaved} data-testid="settings-reset">
              Discard changes
            </Button>
            <RoleButton method="updateSettings" type="submit" variant="contained" disabled={invalid || !changed || saving.busy} data-testid="settings-save">
              Save
            </RoleButton>
          </>
        }
      />
      {restored && unsaved && (
        <Alert severity="info" data-testid="settings-restored" sx={{ mb: 2 }}>
          Your unsaved changes from before you left are still here.
        </Alert>
      )}
      {saved && !changed && (
        <Alert severity="success" onClose={() => setSaved(false)} data-testid="settings-saved" sx={{ mb: 2 }}>
          Settings saved.
        </Alert>
      )}
      {!canSave && (
        <Alert severity="info" sx={{ mb: 2 }}>
          Only an owner can change settings.
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
              <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fill, minmax(300px, 1fr))' }}>
                {group.fields.map((spec) => {
                  const check = checks.get(spec.key)!;
                  const rule = findings.find((finding) => finding.key === spec.key);
                  return (
                    <SettingField
                      key={spec.key}
                      spec={spec}
                      value={textOf(spec)}
                      unit={spec.kind === 'seconds' ? unitOf(spec.key) : undefined}
                      seconds={check.ok && typeof check.value === 'number' ? check.value : null}
                      dirty={check.ok ? check.value !== base[spec.key] : draft[spec.key] !== undefined}
                      error={!check.ok ? check.message : rule?.severity === 'error' ? rule.message : null}
                      warning={check.ok && rule?.severity === 'warning' ? rule.message : null}
                      onChange={(text) => {
                        setSaved(false);
                        setDraft((current) => ({ ...current, [spec.key]: text }));
                      }}
                      onUnitChange={(unit) => {
                        setSaved(false);
                        // The number stays what was typed: "3" then "hours" means three hours.
                        setDraft((current) => ({ ...current, [spec.key]: textOf(spec) }));
                        setUnits((current) => ({ ...current, [spec.key]: unit }));
                      }}
                    />
                  );
                })}
              </Box>
            </CardContent>
          </Card>
        ))}
      </Stack>
      <LeaveSettingsDialog
        open={guard.pendingHref !== null}
        changes={Object.keys(changes).length}
        onStay={guard.stay}
        onLeave={() => {
          discard();
          guard.leave();
        }}
      />
    </form>
  );
}
