import { uPlot } from '../../vendor.js';
import { fetchEvents } from '../events.js';
import { hourlyFigures } from '../stats.js';
import { Component, createRef, html, Notice } from '../ui.js';

const COLORS = { requested: '#1f4e9c', approved: '#1b6e3a', denied: '#b3261e', expired: '#6b4e00', notificationFailed: '#b3261e', notificationRetry: '#6b4e00' };
const LABELS = { requested: 'Requests', approved: 'Approved', denied: 'Denied', expired: 'Expired', notificationFailed: 'Failed deliveries', notificationRetry: 'Retried deliveries' };
const percent = (r) => (r === undefined ? '—' : `${(r * 100).toFixed(1)} %`);
const seconds = (s) => (s === undefined ? '—' : `${s.toFixed(1)} s`);

const CHARTS = [
  ['flows', 'Flows per minute', ['requested']],
  ['outcomes', 'Outcomes per minute', ['approved', 'denied', 'expired']],
  ['notifications', 'Notification failures per minute', ['notificationFailed', 'notificationRetry']],
];

/** The last hour from the audit trail; refreshed every 30 s while open. */
export class DashboardPage extends Component {
  state = { figures: undefined, error: '' };
  charts = [];
  section = createRef();

  componentDidMount() {
    this.load();
    this.timer = setInterval(() => this.load(), 30_000);
  }

  componentWillUnmount() {
    clearInterval(this.timer);
    for (const chart of this.charts) chart.destroy();
  }

  async load() {
    if (!this.props.serviceId) return;
    try {
      const since = new Date(Date.now() - 3_600_000).toISOString();
      const events = await fetchEvents(this.props.serviceId, { since, type: 'backchannel.requested,decision.recorded,request.expired,notification.attempt' });
      this.setState({ figures: hourlyFigures(events), error: '' }, () => this.draw());
    } catch (error) {
      this.setState({ error: `The audit trail could not be read: ${error.message}` });
    }
  }

  draw() {
    for (const chart of this.charts) chart.destroy();
    const { figures } = this.state;
    const width = Math.max(280, Math.min(720, (this.section.current?.clientWidth ?? 720) - 8));
    this.charts = CHARTS.map(([id, title, names]) => {
      const target = this.section.current.querySelector(`#chart-${id}`);
      const options = {
        title, width, height: 180,
        scales: { x: { time: true } },
        series: [{}, ...names.map((name) => ({ label: LABELS[name], stroke: COLORS[name], width: 2 }))],
      };
      return new uPlot(options, [figures.x, ...names.map((name) => figures.series[name])], target);
    });
  }

  render() {
    if (!this.props.serviceId) return html`<p>Create a service first.</p>`;
    const f = this.state.figures;
    return html`<section ref=${this.section}>
      <${Notice} kind="error" text=${this.state.error} />
      ${f ? html`<dl class="figures" data-testid="figures">
        <div><dt>Requests (1 h)</dt><dd>${f.totals.requested}</dd></div>
        <div><dt>Approved</dt><dd>${percent(f.rates.approved)}</dd></div>
        <div><dt>Denied</dt><dd>${percent(f.rates.denied)}</dd></div>
        <div><dt>Expired</dt><dd>${percent(f.rates.expired)}</dd></div>
        <div><dt>Time to decision p50</dt><dd>${seconds(f.decisionSeconds.p50)}</dd></div>
        <div><dt>Time to decision p95</dt><dd>${seconds(f.decisionSeconds.p95)}</dd></div>
        <div><dt>Failed deliveries</dt><dd>${f.totals.notificationFailed}</dd></div>
      </dl>` : null}
      ${CHARTS.map(([id, title]) => html`<figure class="chart" id=${`chart-${id}`} aria-label=${title}></figure>`)}
    </section>`;
  }
}
