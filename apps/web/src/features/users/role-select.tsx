import { Role } from '@tierscope/shared/domain';
import { ROLE_DESCRIPTIONS, ROLE_LABELS } from '../../lib/role-labels.ts';

export function RoleSelect({ value, onChange }: { value: Role; onChange: (role: Role) => void }) {
  return (
    <label className="field">
      <span>Role</span>
      <select className="select" value={value} onChange={(e) => onChange(e.target.value as Role)}>
        {Role.options.map((role) => (
          <option key={role} value={role}>
            {ROLE_LABELS[role]}: {ROLE_DESCRIPTIONS[role]}
          </option>
        ))}
      </select>
    </label>
  );
}
