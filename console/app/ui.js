import { Component, createRef, html } from '../vendor.js';
import { fieldOf } from './api.js';

export { Component, createRef, html };

export const iso = (value) => (value === undefined || value === null ? '' : new Date(value).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'));

export function timeLeft(expiresAt, now = Date.now()) {
  const seconds = Math.round((Date.parse(expiresAt) - now) / 1000);
  if (seconds <= 0) return 'expired';
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}

/** A status line that screen readers announce. */
export const Notice = ({ kind = 'info', text }) =>
  text ? html`<p tabindex="-1" class=${`notice ${kind}`} role=${kind === 'error' ? 'alert' : 'status'}>${text}</p>` : null;

/** A table that scrolls sideways on a narrow screen instead of breaking the page. */
export const Table = ({ caption, head, rows, testid }) => html`
  <div class="table-wrap" tabindex="0" role="region" aria-label=${caption}>
    <table data-testid=${testid}>
      <caption>${caption}</caption>
      <thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
      <tbody>${rows.length === 0 ? html`<tr><td colspan=${head.length}>Nothing yet.</td></tr>` : rows}</tbody>
    </table>
  </div>`;

function fieldValue(field, raw) {
  switch (field.type) {
    case 'checkbox':
      return raw === true;
    case 'multi':
      return Array.isArray(raw) ? raw : [];
    case 'number':
      // Sent as typed: a number when it is one, else the text, so that the API's message speaks.
      if (raw === undefined || raw === '') return undefined;
      return /^-?\d+$/.test(String(raw).trim()) ? Number(raw) : String(raw);
    default:
      return raw === undefined || raw === '' ? undefined : String(raw);
  }
}

/**
 * A form over field specs ({name, label, type, options, help}) whose submit goes to the API; the
 * API's message is shown next to the field it names (else above the buttons), and that field gets focus.
 */
export class Form extends Component {
  constructor(props) {
    super(props);
    this.state = { values: { ...(props.initial ?? {}) }, errors: {}, formError: '', busy: false };
    this.form = createRef();
  }

  set(name, value) {
    this.setState({ values: { ...this.state.values, [name]: value } });
  }

  async submit(event) {
    event.preventDefault();
    const fields = this.props.fields;
    const values = {};
    for (const field of fields) {
      const value = fieldValue(field, this.state.values[field.name]);
      if (value !== undefined) values[field.name] = value;
    }
    this.setState({ busy: true, errors: {}, formError: '' });
    try {
      await this.props.onSubmit(values);
      this.setState({ busy: false });
    } catch (error) {
      const message = error?.message ?? String(error);
      const field = fieldOf(message, fields.map((f) => f.name));
      // Focus goes to what the message is about once it is on the page.
      this.setState({ busy: false, ...(field ? { errors: { [field]: message } } : { formError: message }) }, () => {
        const form = this.form.current;
        (field ? form?.querySelector(`#${this.props.id}-${field}`) : form?.querySelector('.notice.error'))?.focus();
      });
    }
  }

  renderField(field) {
    const id = `${this.props.id}-${field.name}`;
    const error = this.state.errors[field.name];
    const value = this.state.values[field.name];
    const described = [field.help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
    const common = { id, name: field.name, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': described };
    let control;
    if (field.type === 'checkbox') {
      control = html`<input type="checkbox" ...${common} checked=${value === true} onChange=${(e) => this.set(field.name, e.currentTarget.checked)} />`;
    } else if (field.type === 'select') {
      control = html`<select ...${common} value=${value ?? ''} onChange=${(e) => this.set(field.name, e.currentTarget.value)}>
        ${field.optional ? html`<option value="">(not set)</option>` : null}
        ${field.options.map((o) => html`<option value=${o}>${o}</option>`)}
      </select>`;
    } else if (field.type === 'multi') {
      const chosen = Array.isArray(value) ? value : [];
      control = html`<fieldset ...${common} tabindex="-1"><legend class="sr-only">${field.label}</legend>${field.options.map((o) => html`
        <label class="inline"><input type="checkbox" checked=${chosen.includes(o)}
          onChange=${(e) => this.set(field.name, e.currentTarget.checked ? [...chosen, o] : chosen.filter((c) => c !== o))} /> ${o}</label>`)}</fieldset>`;
    } else if (field.type === 'textarea') {
      control = html`<textarea ...${common} rows="4" value=${value ?? ''} onInput=${(e) => this.set(field.name, e.currentTarget.value)}></textarea>`;
    } else {
      control = html`<input type="text" inputmode=${field.type === 'number' ? 'numeric' : undefined} autocomplete="off" ...${common}
        value=${value ?? ''} onInput=${(e) => this.set(field.name, e.currentTarget.value)} />`;
    }
    return html`<div class=${`field ${field.type === 'checkbox' ? 'check' : ''}`}>
      <label for=${id}>${field.label}</label>
      ${control}
      ${field.help ? html`<small id=${`${id}-help`}>${field.help}</small>` : null}
      ${error ? html`<p class="field-error" id=${`${id}-error`} data-testid=${`error-${field.name}`}>${error}</p>` : null}
    </div>`;
  }

  render() {
    return html`<form ref=${this.form} id=${this.props.id} class="form" novalidate onSubmit=${(e) => this.submit(e)} aria-label=${this.props.title}>
      <h3>${this.props.title}</h3>
      ${this.props.fields.map((f) => this.renderField(f))}
      <${Notice} kind="error" text=${this.state.formError} />
      <div class="buttons">
        <button type="submit" disabled=${this.state.busy}>${this.props.submitLabel ?? 'Save'}</button>
        ${this.props.onCancel ? html`<button type="button" class="secondary" onClick=${this.props.onCancel}>Cancel</button>` : null}
      </div>
    </form>`;
  }
}
