import Card from '@mui/material/Card';
import CardActionArea from '@mui/material/CardActionArea';
import CardContent from '@mui/material/CardContent';
import Typography from '@mui/material/Typography';

interface Props {
  name: string;
  label: string;
  value: number | undefined;
  hint: string;
  /** The view listing what this counts; the whole card is then a link. */
  href?: string;
  /** Highlight when non-zero (reuse alerts). */
  alarming?: boolean;
}

/** One live count on the overview. */
export function StatCard({ name, label, value, hint, href, alarming }: Props) {
  const alarm = alarming && value !== undefined && value > 0;
  const content = (
    <CardContent>
      <Typography variant="body2" sx={{ color: 'text.secondary' }}>
        {label}
      </Typography>
      <Typography
        variant="h4"
        component="div"
        data-testid={`stat-${name}`}
        sx={{ fontVariantNumeric: 'tabular-nums', color: alarm ? 'error.main' : 'text.primary' }}
      >
        {value === undefined ? '—' : value.toLocaleString()}
      </Typography>
      <Typography variant="caption" sx={{ color: 'text.secondary' }}>
        {hint}
      </Typography>
    </CardContent>
  );
  return (
    <Card variant="outlined" sx={{ borderColor: alarm ? 'error.main' : undefined }}>
      {href ? (
        <CardActionArea href={href} data-testid={`stat-${name}-link`}>
          {content}
        </CardActionArea>
      ) : (
        content
      )}
    </Card>
  );
}
