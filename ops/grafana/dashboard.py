"""Generates ops/grafana/newsflow.json with the Grafana Foundation SDK (PyPI
grafana-foundation-sdk, its typed dashboard builders), so the JSON follows Grafana's dashboard
schema by construction.

  dashboard.py            write ops/grafana/newsflow.json
  dashboard.py --check    exit 1 if the file differs from what this script generates
  dashboard.py --exprs    print every PromQL expression of the dashboard, one JSON string a line
                          (ops/grafana/check_queries.py evaluates them against a real Prometheus)

Metric names: consumers/metrics.cc; recording rules: ops/prometheus/newsflow-rules.yaml.
Variables: $datasource, $namespace, $pod, $topic (input topics). Story and alert-rule metrics:
app/story_runtime.cc (the "Stories and alerts" row).
"""
import json
import os
import sys

from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.builders import prometheus as prom
from grafana_foundation_sdk.builders import stat, statetimeline, table, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as dm
from grafana_foundation_sdk.models.common import BigValueColorMode, GraphDrawStyle

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "newsflow.json")
DS = dm.DataSourceRef(type_val="prometheus", uid="${datasource}")

# Selectors shared by the queries.
POD = 'namespace=~"$namespace", pod=~"$pod"'
TOPIC = POD + ', topic=~"$topic"'
NS_TOPIC = 'namespace=~"$namespace", topic=~"$topic"'


def q(expr, legend="", instant=False):
    t = prom.Dataquery().expr(expr).datasource(DS)
    if legend:
        t = t.legend_format(legend)
    return t.instant() if instant else t.range()


def ts(title, desc, unit, *targets, width=12, height=8):
    """A time series panel (the SDK places it in the grid left to right, top to bottom)."""
    p = (timeseries.Panel().title(title).description(desc).unit(unit).datasource(DS)
         .span(width).height(height).line_width(1).fill_opacity(10))
    for t in targets:
        p = p.with_target(t)
    return p


def build():
    d = (db.Dashboard("newsflow")
         .uid("newsflow")
         .description("newsflow consumer group: throughput, dead letters, lag, latency, "
                      "back-pressure, rebalances, taxonomy, readiness, stories and alerts.")
         .tags(["newsflow", "kafka"])
         .editable()
         .refresh("30s")
         .time("now-3h", "now")
         .timezone("browser")
         .tooltip(dm.DashboardCursorSync.CROSSHAIR)
         .link(db.DashboardLink("Runbook").type(dm.DashboardLinkType.LINK)
               .url("ops/RUNBOOK.md").target_blank(True)))

    d = d.with_variable(db.DatasourceVariable("datasource").label("Data source").type("prometheus"))
    d = d.with_variable(
        db.QueryVariable("namespace").label("Namespace").datasource(DS)
        .query("label_values(newsflow_build_info, namespace)")
        .refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED).sort(dm.VariableSort.ALPHABETICAL_ASC)
        .multi(True).include_all(True).all_value(".*"))
    d = d.with_variable(
        db.QueryVariable("pod").label("Pod").datasource(DS)
        .query('label_values(newsflow_build_info{namespace=~"$namespace"}, pod)')
        .refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED).sort(dm.VariableSort.ALPHABETICAL_ASC)
        .multi(True).include_all(True).all_value(".*"))
    d = d.with_variable(
        db.QueryVariable("topic").label("Input topic").datasource(DS)
        .query('label_values(newsflow_records_consumed_total{namespace=~"$namespace"}, topic)')
        .refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED).sort(dm.VariableSort.ALPHABETICAL_ASC)
        .multi(True).include_all(True).all_value(".*"))

    # --- Overview ------------------------------------------------------------------------------
    d = d.with_row(db.Row("Overview"))
    d = d.with_panel(
        stat.Panel().title("Ready pods").datasource(DS).span(4).height(4)
        .description("Pods whose /readyz answers 200 (newsflow_ready), of the pods scraped.")
        .color_mode(BigValueColorMode.VALUE)
        .with_target(q(f"sum(newsflow_ready{{{POD}}})", "ready", instant=True))
        .with_target(q(f"count(newsflow_ready{{{POD}}})", "scraped", instant=True)))
    d = d.with_panel(
        stat.Panel().title("Records in / s").datasource(DS).span(4).height(4).unit("ops")
        .description("All input topics, last 5 minutes (recording rule).")
        .with_target(q(f"sum(newsflow:records_consumed:rate5m{{{NS_TOPIC}}})", instant=True)))
    d = d.with_panel(
        stat.Panel().title("Dead-letter ratio").datasource(DS).span(4).height(4)
        .unit("percentunit")
        .description("Dead letters per consumed record, last 5 minutes (alert above 5 %).")
        .with_target(q(f"max(newsflow:dead_letter_ratio:rate5m{{{NS_TOPIC}}})", instant=True)))
    d = d.with_panel(
        statetimeline.Panel().title("Readiness per pod").datasource(DS).span(12).height(6)
        .description("1 = /readyz 200 (broker reachable, partitions assigned, taxonomy loaded).")
        .with_target(q(f"newsflow_ready{{{POD}}}", "{{pod}}")))
    d = d.with_panel(
        ts("Assigned partitions per pod", "Input partitions each member owns.", "short",
           q(f"newsflow_assigned_partitions{{{POD}}}", "{{pod}}"), height=6))
    d = d.with_panel(
        table.Panel().title("Versions").datasource(DS).span(12).height(6)
        .description("Build and taxonomy version per pod.")
        .with_target(q(f"newsflow_build_info{{{POD}}}", instant=True))
        .with_target(q(f"newsflow_taxonomy_info{{{POD}}}", instant=True)))

    # --- Throughput ----------------------------------------------------------------------------
    d = d.with_row(db.Row("Throughput"))
    d = d.with_panel(ts(
        "Records in per input topic", "Records consumed per second.", "ops",
        q(f"sum by (topic) (rate(newsflow_records_consumed_total{{{TOPIC}}}[$__rate_interval]))",
          "{{topic}}")))
    d = d.with_panel(ts(
        "Messages out per output topic", "Messages acknowledged by the broker per second "
        "(enriched events, alerts, dead letters).", "ops",
        q(f"sum by (topic) (rate(newsflow_records_produced_total{{{POD}}}[$__rate_interval]))",
          "{{topic}}")))
    d = d.with_panel(ts(
        "Dead letters by class", "Records dead-lettered per second, by error class and stage.",
        "ops",
        q("sum by (class, stage) (rate(newsflow_records_dead_lettered_total"
          f"{{{TOPIC}}}[$__rate_interval]))", "{{class}} ({{stage}})")))
    d = d.with_panel(ts(
        "Dead-letter ratio per input topic", "Recording rule newsflow:dead_letter_ratio:rate5m.",
        "percentunit",
        q(f"newsflow:dead_letter_ratio:rate5m{{{NS_TOPIC}}}", "{{topic}}")))
    d = d.with_panel(ts(
        "Delivery failures", "Messages the producer reported as permanently failed, per output "
        "topic (news.stories included), since each pod's start. The pod then exits 1 (see the "
        "runbook) after one last scrape, so the counter itself is shown rather than its rate.",
        "short",
        q(f"sum by (pod, topic) (newsflow_delivery_failures_total{{{POD}}})", "{{pod}} {{topic}}")))
    d = d.with_panel(ts(
        "Redelivered records skipped", "Records the consumer delivered again after a fetch "
        "rewind, skipped because they were already dispatched.", "short",
        q("sum by (pod) (increase(newsflow_records_redelivery_skipped_total"
          f"{{{POD}}}[$__rate_interval]))", "{{pod}}")))

    # --- Lag -----------------------------------------------------------------------------------
    d = d.with_row(db.Row("Consumer lag"))
    d = d.with_panel(ts(
        "Consumer lag per partition", "librdkafka statistics (every statistics_interval_ms) of "
        "the partitions each pod owns.", "short",
        q(f"newsflow_consumer_lag_messages{{{TOPIC}}}", "{{topic}}/{{partition}} ({{pod}})")))
    d = d.with_panel(ts(
        "Consumer lag per input topic", "Recording rule newsflow:consumer_lag_messages:sum "
        "(alert: above 1000 and growing for 15 min).", "short",
        q(f"newsflow:consumer_lag_messages:sum{{{NS_TOPIC}}}", "{{topic}}")))

    # --- Latency -------------------------------------------------------------------------------
    d = d.with_row(db.Row("Latency"))
    d = d.with_panel(ts(
        "End-to-end latency", "From the input record's Kafka timestamp to the broker's "
        "acknowledgement of its last output.", "s",
        q("histogram_quantile(0.50, sum by (le) (rate(newsflow_end_to_end_latency_seconds_bucket"
          f"{{{POD}}}[$__rate_interval])))", "p50"),
        q("histogram_quantile(0.99, sum by (le) (rate(newsflow_end_to_end_latency_seconds_bucket"
          f"{{{POD}}}[$__rate_interval])))", "p99"),
        q('newsflow:end_to_end_latency_seconds:p99_5m{namespace=~"$namespace"}',
          "p99 5m ({{namespace}})")))
    d = d.with_panel(ts(
        "Stage latency p99", "Time of one record in each pipeline stage, 99th percentile.", "s",
        q("histogram_quantile(0.99, sum by (stage, le) (rate(newsflow_stage_duration_seconds_bucket"
          f"{{{POD}}}[$__rate_interval])))", "{{stage}}")))
    d = d.with_panel(ts(
        "Stage latency p50", "Median time of one record in each pipeline stage.", "s",
        q("histogram_quantile(0.50, sum by (stage, le) (rate(newsflow_stage_duration_seconds_bucket"
          f"{{{POD}}}[$__rate_interval])))", "{{stage}}")))
    d = d.with_panel(ts(
        "End-to-end latency by phase, p99", "Where a record's end-to-end time goes: consume "
        "(Kafka timestamp to dispatch), queue (work queue), process (all stages), order "
        "(per-partition sequencer), produce (to the broker's last acknowledgement). "
        "consumers/README.md, Latency.", "s",
        q("histogram_quantile(0.99, sum by (phase, le) (rate(newsflow_latency_phase_seconds_bucket"
          f"{{{POD}}}[$__rate_interval])))", "{{phase}}")))
    d = d.with_panel(ts(
        "Stage latency p99 (namespace, 5 min)", "Recording rule "
        "newsflow:stage_duration_seconds:p99_5m.", "s",
        q('newsflow:stage_duration_seconds:p99_5m{namespace=~"$namespace"}', "{{stage}}")))

    # --- Back-pressure and the group -----------------------------------------------------------
    d = d.with_row(db.Row("Back-pressure and consumer group"))
    d = d.with_panel(ts(
        "Producer queue", "Produced messages not yet acknowledged (input pauses at "
        "kafka.producer_max_messages).", "short",
        q(f"newsflow_producer_queue_messages{{{POD}}}", "{{pod}}")))
    d = d.with_panel(ts(
        "Work queue", "Consumed records waiting for a worker (input pauses at "
        "kafka.queue_max_records).", "short",
        q(f"newsflow_work_queue_records{{{POD}}}", "{{pod}}")))
    d = d.with_panel(ts(
        "Input paused", "1 while back-pressure pauses the input partitions; pauses started.",
        "short",
        q(f"newsflow_input_paused{{{POD}}}", "paused {{pod}}"),
        q(f"increase(newsflow_pauses_total{{{POD}}}[$__rate_interval])", "pauses {{pod}}")))
    d = d.with_panel(ts(
        "Rebalances", "Consumer-group rebalance events by kind (assign, revoke, lost).", "short",
        q(f"sum by (kind) (increase(newsflow_rebalances_total{{{POD}}}[$__rate_interval]))",
          "{{kind}}")))

    # --- Taxonomy ------------------------------------------------------------------------------
    d = d.with_row(db.Row("Taxonomy"))
    d = d.with_panel(ts(
        "Taxonomy reloads", "Hot reloads by result; a failure keeps the previous taxonomy.",
        "short",
        q("sum by (result) (increase(newsflow_taxonomy_reloads_total"
          f"{{{POD}}}[$__rate_interval]))", "{{result}}")))
    d = d.with_panel(ts(
        "Taxonomy version per pod", "newsflow_taxonomy_info: the version new records are "
        "tagged with.", "short",
        q(f"newsflow_taxonomy_info{{{POD}}}", "{{pod}}: {{version}}")))

    # --- Stories and alerts --------------------------------------------------------------------
    # Metrics: app/story_runtime.cc (refreshed every second). The story store is shared state:
    # every pod restores news.stories and tails it, so each pod holds (about) all open stories:
    # its gauges are shown per pod or as a max, never summed. Counters of opened stories,
    # duplicates and alerts count what each pod's own articles did: those are summed.
    d = d.with_row(db.Row("Stories and alerts"))
    d = d.with_panel(
        stat.Panel().title("Open stories").datasource(DS).span(6).height(4)
        .description("Stories open in the shared story store (recording rule "
                     "newsflow:stories_open:max; alert at 90 % of pipeline.story.max_open).")
        .with_target(q('newsflow:stories_open:max{namespace=~"$namespace"}', instant=True)))
    d = d.with_panel(
        stat.Panel().title("Story store memory").datasource(DS).span(6).height(4).unit("bytes")
        .description("Approximate heap bytes of the story store, largest pod (recording rule "
                     "newsflow:story_store_bytes:max).")
        .with_target(q('newsflow:story_store_bytes:max{namespace=~"$namespace"}', instant=True)))
    d = d.with_panel(
        stat.Panel().title("Alerts raised / s").datasource(DS).span(6).height(4).unit("ops")
        .description("Rule alerts raised, all rules, last 5 minutes (recording rule "
                     "newsflow:alerts_raised:rate5m).")
        .with_target(q('sum(newsflow:alerts_raised:rate5m{namespace=~"$namespace"})',
                       instant=True)))
    d = d.with_panel(
        stat.Panel().title("Story restore at start-up").datasource(DS).span(6).height(4)
        .unit("s")
        .description("Slowest pod's start-up restore of news.stories (limit 120 s; alert above "
                     "60 s). The gauge is set once per process start.")
        .with_target(q(f"max(newsflow_story_restore_seconds{{{POD}}})", instant=True)))
    d = d.with_panel(ts(
        "Open stories per pod", "newsflow_stories_open: each pod's view of the shared store "
        "(pods agree within the tail delay); fingerprints are the near-duplicate index.",
        "short",
        q(f"newsflow_stories_open{{{POD}}}", "open {{pod}}"),
        q(f"newsflow_story_fingerprints{{{POD}}}", "fingerprints {{pod}}")))
    d = d.with_panel(ts(
        "Story store memory per pod", "newsflow_story_store_bytes (approximate heap of the "
        "store, refreshed every 10 s); compare with the pod's memory limit.", "bytes",
        q(f"newsflow_story_store_bytes{{{POD}}}", "{{pod}}")))
    d = d.with_panel(ts(
        "Stories opened and closed", "Per second: opened by each pod's articles; closed by "
        "reason (expired: window passed; evicted: max_open reached, a capacity problem; merged: "
        "two pods opened one event, the higher id merges into the lower).", "ops",
        q(f"sum by (pod) (rate(newsflow_stories_opened_total{{{POD}}}[$__rate_interval]))",
          "opened {{pod}}"),
        q("sum by (reason) (rate(newsflow_stories_closed_total"
          f"{{{POD}}}[$__rate_interval]))", "closed: {{reason}}"),
        q('newsflow:stories_opened:rate5m{namespace=~"$namespace"}', "opened 5m ({{namespace}})")))
    d = d.with_panel(ts(
        "Near-duplicates by kind", "Articles recognised as copies per second (exact: same "
        "text; near: SimHash or shared opening).", "ops",
        q("sum by (kind) (rate(newsflow_story_duplicates_total"
          f"{{{POD}}}[$__rate_interval]))", "{{kind}}"),
        q('newsflow:story_duplicates:rate5m{namespace=~"$namespace"}', "{{kind}} 5m")))
    d = d.with_panel(ts(
        "Alerts raised per rule and severity", "Rule alerts raised (a new alert or an "
        "escalation) per interval. Alert ids are deterministic, so two pods raising one alert "
        "count twice here but consumers de-duplicate by id.", "short",
        q("sum by (rule, severity) (increase(newsflow_alerts_raised_total"
          f"{{{POD}}}[$__rate_interval]))", "{{rule}} ({{severity}})")))
    d = d.with_panel(ts(
        "Alerts suppressed per rule", "Rule matches that raised nothing because the story's "
        "alert was already raised at that level (suppress_for, escalation).", "short",
        q("sum by (rule) (increase(newsflow_alerts_suppressed_total"
          f"{{{POD}}}[$__rate_interval]))", "{{rule}}"),
        q('newsflow:alerts_suppressed:rate5m{namespace=~"$namespace"}', "{{rule}} 5m /s")))
    d = d.with_panel(ts(
        "Surge buckets vs baseline", "Articles in the newest 5-minute event-time bucket against "
        "the EWMA baseline, per key (topic), summed over pods (each pod counts its "
        "partitions' share); surge alerts raised.", "short",
        q(f"sum by (key) (newsflow_surge_bucket_articles{{{POD}}})", "{{key}} bucket"),
        q(f"sum by (key) (newsflow_surge_baseline_articles{{{POD}}})", "{{key}} baseline"),
        q(f"sum(increase(newsflow_surge_alerts_total{{{POD}}}[$__rate_interval]))",
          "surge alerts")))
    d = d.with_panel(ts(
        "Story state: restore and tail", "Records of news.stories applied per second (restore "
        "and tail of the other pods' states); the start-up restore's duration and records.",
        "short",
        q("sum by (pod) (rate(newsflow_story_states_applied_total"
          f"{{{POD}}}[$__rate_interval]))", "applied/s {{pod}}"),
        q(f"newsflow_story_restore_seconds{{{POD}}}", "restore s {{pod}}"),
        q(f"newsflow_story_restore_records{{{POD}}}", "restore records {{pod}}")))
    d = d.with_panel(ts(
        "Open stories by size", "Open stories with at most N articles (cumulative), largest "
        "pod.", "short",
        q(f"max by (max_articles) (newsflow_stories_by_articles{{{POD}}})",
          "<= {{max_articles}}")))
    return d.build()


def render():
    model = build()
    return json.dumps(model, cls=JSONEncoder, indent=2, sort_keys=True) + "\n"


def exprs(doc):
    for panel in doc.get("panels", []):
        for target in panel.get("targets", []) or []:
            if "expr" in target:
                yield panel.get("title", ""), target["expr"]
    for var in doc.get("templating", {}).get("list", []):
        if var.get("type") == "query":
            yield "variable " + var["name"], var["query"]


if __name__ == "__main__":
    if "--exprs" in sys.argv:
        for title, expr in exprs(json.load(open(OUT))):
            print(json.dumps({"panel": title, "expr": expr}))
    elif "--check" in sys.argv:
        if open(OUT).read() != render():
            sys.exit("dashboard: ops/grafana/newsflow.json differs from ops/grafana/dashboard.py; "
                     "run ops/grafana/dashboard.sh")
        doc = json.load(open(OUT))
        dm.Dashboard.from_json(doc)  # parses with the SDK's typed model
        print(f"dashboard: newsflow.json matches dashboard.py ({len(doc['panels'])} panels)")
    else:
        open(OUT, "w").write(render())
        print(f"dashboard: wrote {OUT}")
