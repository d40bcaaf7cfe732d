"""Monitoring: every rendered PrometheusRule passes `promtool check rules`, and `promtool test
rules` proves each SLO's page alert fires within its short window at a 14.4x burn (and stays
silent at 1x), and each platform alert fires on its condition. The NetworkPolicies admit the
monitoring namespace to exactly the metrics ports."""
import os
import pathlib
import re
import shutil
import subprocess

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
EXAMPLES = ["acme", "onprem", "onprem-mesh", "twin"]

promtool = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(promtool is None and not os.environ.get("BERTH_REQUIRE_PROMTOOL"),
                                    reason="promtool not installed (scripts/setup-tools.sh installs it)")


def render(example, out):
    r = subprocess.run([BERTH, "render", ROOT / "examples" / example / "platform.yaml", "--out", out],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return out


def objects(out, kind):
    for f in sorted(out.glob("*/*/*.yaml")):
        for d in yaml.safe_load_all(f.read_text()):
            if d and d.get("kind") == kind:
                yield f, d


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    base = tmp_path_factory.mktemp("monitoring")
    return {e: render(e, base / e) for e in EXAMPLES}


def rule_files(out, tmp):
    """Writes every PrometheusRule's spec as a Prometheus rule file; returns (path, spec, namespace)."""
    files = []
    for f, d in objects(out, "PrometheusRule"):
        p = tmp / f"{f.parent.parent.name}-{d['metadata']['namespace']}-{d['metadata']['name']}.yaml"
        p.write_text(yaml.safe_dump(d["spec"]))
        files.append((p, d["spec"], d["metadata"]["namespace"]))
    return files


def promtool_test(tmp, rule_file, tests, name):
    t = tmp / f"{name}.test.yaml"
    t.write_text(yaml.safe_dump({"rule_files": [str(rule_file)], "evaluation_interval": "1m", "tests": tests}))
    r = subprocess.run([promtool, "test", "rules", str(t)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"{name}:\n{r.stdout}\n{r.stderr}"


@needs_promtool
@pytest.mark.parametrize("example", EXAMPLES)
def test_promtool_check_rules(rendered, tmp_path, example):
    files = rule_files(rendered[example], tmp_path)
    assert files, f"{example} renders no PrometheusRule"
    r = subprocess.run([promtool, "check", "rules", *[str(p) for p, _, _ in files]], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr


def alert_rule(spec, name):
    for g in spec["groups"]:
        for rule in g["rules"]:
            if rule.get("alert") == name:
                return g, rule
    return None, None


def slo_series(group, burn, budget):
    """Input series for one SLO's recording rules at a constant burn rate (per-minute counters)."""
    record = next(r for r in group["rules"] if r.get("record") == "slo:sli_error:ratio_rate5m")
    expr = record["expr"]
    per_min = 100000
    bad = round(per_min * burn * budget)
    sel = re.search(r"\{([^}]*)\}", expr).group(1)
    base = ", ".join(p.strip() for p in sel.split(",") if "=~" not in p and "le=" not in p)
    if "http_requests_total" in expr:
        return [{"series": f"http_requests_total{{{base}, code=\"500\"}}", "values": f"0+{bad}x4500"},
                {"series": f"http_requests_total{{{base}, code=\"200\"}}", "values": f"0+{per_min - bad}x4500"}]
    if "http_request_duration_seconds_bucket" in expr:
        le = re.search(r'le="([^"]+)"', expr).group(1)
        return [{"series": f"http_request_duration_seconds_bucket{{{base}, le=\"{le}\"}}", "values": f"0+{per_min - bad}x4500"},
                {"series": f"http_request_duration_seconds_count{{{base}}}", "values": f"0+{per_min}x4500"}]
    if "nginx_ingress_controller_requests" in expr:
        return [{"series": f"nginx_ingress_controller_requests{{{base}, status=\"500\"}}", "values": f"0+{bad}x4500"},
                {"series": f"nginx_ingress_controller_requests{{{base}, status=\"200\"}}", "values": f"0+{per_min - bad}x4500"}]
    le = re.search(r'le="([^"]+)"', expr).group(1)
    return [{"series": f"nginx_ingress_controller_request_duration_seconds_bucket{{{base}, le=\"{le}\"}}", "values": f"0+{per_min - bad}x4500"},
            {"series": f"nginx_ingress_controller_request_duration_seconds_count{{{base}}}", "values": f"0+{per_min}x4500"}]


@needs_promtool
@pytest.mark.parametrize("example", EXAMPLES)
def test_slo_page_alert_fires_at_14_4x_and_is_silent_at_1x(rendered, tmp_path, example):
    checked = 0
    for path, spec, ns in rule_files(rendered[example], tmp_path):
        for g in spec["groups"]:
            if not g["name"].startswith("slo-"):
                continue
            budget = float(re.search(r"/ ([0-9.]+)\)?$", next(r for r in g["rules"] if r.get("record") == "slo:error_budget:remaining_ratio")["expr"]).group(1))
            fast = next(r for r in g["rules"] if r.get("alert") == "SLOErrorBudgetBurnFast")
            medium = next(r for r in g["rules"] if r.get("alert") == "SLOErrorBudgetBurnMedium")
            assert fast["labels"]["severity"] == "page" and medium["labels"]["severity"] == "page"
            assert "ratio_rate1h" in fast["expr"] and "ratio_rate5m" in fast["expr"] and "(14.4 * " in fast["expr"]
            assert "ratio_rate6h" in medium["expr"] and "ratio_rate30m" in medium["expr"] and "(6 * " in medium["expr"]
            labels = {**fast["labels"], "namespace": ns}
            one_group = {"groups": [g]}
            single = tmp_path / f"{g['name']}-{ns}.rules.yaml"
            single.write_text(yaml.safe_dump(one_group))
            tests = [
                # 14.4x (a hair above, as the threshold compares with '>'): firing once the short
                # window (5m) has seen it and the 2m hold has passed.
                {"interval": "1m", "input_series": slo_series(g, 14.4 * 1.01, budget),
                 "alert_rule_test": [
                     {"eval_time": "1m", "alertname": "SLOErrorBudgetBurnFast", "exp_alerts": []},
                     {"eval_time": "5m", "alertname": "SLOErrorBudgetBurnFast",
                      "exp_alerts": [{"exp_labels": labels, "exp_annotations": fast["annotations"]}]},
                 ]},
                # 1x: the budget lasts exactly the window; no page.
                {"interval": "1m", "input_series": slo_series(g, 1.0, budget),
                 "alert_rule_test": [
                     {"eval_time": t, "alertname": a, "exp_alerts": []}
                     for t in ("5m", "1h", "7h") for a in ("SLOErrorBudgetBurnFast", "SLOErrorBudgetBurnMedium")
                 ]},
                # 6x for 7 hours pages through the medium alert.
                {"interval": "1m", "input_series": slo_series(g, 6 * 1.01, budget),
                 "alert_rule_test": [
                     {"eval_time": "1h", "alertname": "SLOErrorBudgetBurnMedium",
                      "exp_alerts": [{"exp_labels": {**medium["labels"], "namespace": ns}, "exp_annotations": medium["annotations"]}]},
                 ]},
            ]
            promtool_test(tmp_path, single, tests, f"{g['name']}-{ns}")
            checked += 1
    if example == "acme":
        assert checked >= 6, "acme's public services have SLOs"


def platform_case(name, expr, ns):
    """(input series, eval time, labels of the expression's result) that meet an alert's condition."""
    if name == "CertificateExpiresSoon":
        return [{"series": f'certmanager_certificate_expiration_timestamp_seconds{{exported_namespace="{ns}", name="www"}}', "values": "432000x200"}], "2h", {"exported_namespace": ns, "name": "www"}
    if name == "CertificateNotReady":
        return [{"series": f'certmanager_certificate_ready_status{{exported_namespace="{ns}", name="www", condition="False"}}', "values": "1x200"}], "1h", {"exported_namespace": ns, "name": "www", "condition": "False"}
    if name == "DatabaseRecoveryPointBeyondRPO":
        rpo = int(re.search(r"> (\d+)$", expr).group(1))
        pod = re.search(r'pod=~"([a-z0-9-]+)-\[0-9\]\+"', expr).group(1) + "-1"
        minutes = rpo // 60 + 30
        return [{"series": f'cnpg_pg_stat_archiver_last_archived_time{{namespace="{ns}", pod="{pod}"}}', "values": f"0x{minutes + 10}"}], f"{minutes}m", {}
    if name == "DatabaseWALArchivingFailing":
        pod = re.search(r'pod=~"([a-z0-9-]+)-\[0-9\]\+"', expr).group(1) + "-1"
        return [{"series": f'cnpg_pg_stat_archiver_failed_count{{namespace="{ns}", pod="{pod}"}}', "values": "0+1x120"}], "1h", {"namespace": ns, "pod": pod}
    if name == "VolumeFillsWithinADay":
        l = f'namespace="{ns}", persistentvolumeclaim="data"'
        return [{"series": f"kubelet_volume_stats_available_bytes{{{l}}}", "values": "40000000000-50000000x600"},
                {"series": f"kubelet_volume_stats_capacity_bytes{{{l}}}", "values": "100000000000x600"}], "7h", {"namespace": ns, "persistentvolumeclaim": "data"}
    if name == "HPAAtMaximum":
        l = f'namespace="{ns}", horizontalpodautoscaler="web"'
        return [{"series": f"kube_horizontalpodautoscaler_status_current_replicas{{{l}}}", "values": "10x100"},
                {"series": f"kube_horizontalpodautoscaler_spec_max_replicas{{{l}}}", "values": "10x100"}], "1h", {"namespace": ns, "horizontalpodautoscaler": "web"}
    if name == "PodNotReady":
        return [{"series": f'kube_pod_status_ready{{namespace="{ns}", pod="web-1", condition="false"}}', "values": "1x100"}], "30m", {"pod": "web-1"}
    if name == "QuotaNearLimit":
        l = f'namespace="{ns}", resourcequota="compute", resource="requests.cpu"'
        return [{"series": f'kube_resourcequota{{{l}, type="used"}}', "values": "95x100"},
                {"series": f'kube_resourcequota{{{l}, type="hard"}}', "values": "100x100"}], "30m", {"namespace": ns, "resourcequota": "compute", "resource": "requests.cpu"}
    raise AssertionError(f"no test case for platform alert {name}")


@needs_promtool
@pytest.mark.parametrize("example", EXAMPLES)
def test_each_platform_alert_fires_on_its_condition(rendered, tmp_path, example):
    seen = set()
    for path, spec, ns in rule_files(rendered[example], tmp_path):
        for g in spec["groups"]:
            if g["name"] != "platform":
                continue
            tests = []
            for rule in g["rules"]:
                series, at, result = platform_case(rule["alert"], rule["expr"], ns)
                tests.append({"interval": "1m", "input_series": series, "alert_rule_test": [
                    {"eval_time": at, "alertname": rule["alert"],
                     "exp_alerts": [{"exp_labels": {**result, **rule["labels"]}, "exp_annotations": rule["annotations"]}]}]})
                # Without its condition (no series at all) the alert stays silent.
                tests.append({"interval": "1m", "input_series": [], "alert_rule_test": [
                    {"eval_time": at, "alertname": rule["alert"], "exp_alerts": []}]})
                seen.add(rule["alert"])
            promtool_test(tmp_path, path, tests, path.stem)
    if example == "acme":
        assert seen >= {"CertificateExpiresSoon", "DatabaseRecoveryPointBeyondRPO", "DatabaseWALArchivingFailing",
                        "VolumeFillsWithinADay", "HPAAtMaximum", "PodNotReady", "QuotaNearLimit"}, seen


def test_scrapes_are_admitted_to_exactly_the_metrics_ports(rendered):
    out = rendered["acme"]
    monitors = {(d["metadata"]["namespace"], d["metadata"]["name"]): d for _, d in objects(out, "ServiceMonitor")}
    assert ("acme-production", "web") in monitors
    checked = 0
    for f, d in objects(out, "NetworkPolicy"):
        for rule in d["spec"].get("ingress", []):
            peers = rule.get("from", [])
            if any(p.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name") == "monitoring" for p in peers):
                ports = sorted(p["port"] for p in rule["ports"])
                name = d["metadata"]["name"]
                if name.endswith("-database"):
                    assert ports == [9187], (f, ports)
                elif name.endswith("-pooler"):
                    assert ports == [9127], (f, ports)
                elif name == "berth-ipam":
                    # The team server serves /metrics on its own port (ipam.server.port).
                    assert ports == [8080], (f, ports)
                    sm = monitors[(d["metadata"]["namespace"], name)]
                    assert sm["spec"]["endpoints"][0]["port"] == "http" and sm["spec"]["endpoints"][0]["path"] == "/metrics"
                else:
                    assert ports == [9090], (f, ports)
                    sm = monitors[(d["metadata"]["namespace"], name)]
                    assert sm["spec"]["endpoints"][0]["port"] == "metrics"
                checked += 1
    assert checked > 10
    # A service without metrics admits nothing from the monitoring namespace.
    for f, d in objects(out, "NetworkPolicy"):
        if d["metadata"]["name"] == "search":
            for rule in d["spec"].get("ingress", []):
                assert "monitoring" not in str(rule.get("from", [])), f


amtool = shutil.which("amtool")


@pytest.mark.skipif(amtool is None and not os.environ.get("BERTH_REQUIRE_PROMTOOL"), reason="amtool not installed")
@pytest.mark.parametrize("example", EXAMPLES)
def test_alertmanager_config_passes_amtool(rendered, example):
    path = rendered[example] / "monitoring" / "alertmanager.yaml"
    r = subprocess.run([amtool, "check-config", str(path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    config = yaml.safe_load(path.read_text())
    names = {r["name"] for r in config["receivers"]}
    for route in config["route"].get("routes", []):
        assert route["receiver"] in names
    text = path.read_text()
    # Credentials are files mounted from the named Secrets; no value is ever written.
    for r in config["receivers"]:
        for kind, items in r.items():
            if kind == "name":
                continue
            for c in items:
                for k, v in c.items():
                    if k.endswith("_file"):
                        assert v.startswith("/etc/alertmanager/secrets/") and "//" not in v, v
                    assert k not in ("api_url", "routing_key", "api_key", "service_key"), k
    if example == "acme":
        assert {"storefront-page", "storefront-ticket", "payments-page", "platform-page"} <= names
        assert "inhibit_rules" in config
        assert "alerts-pagerduty-storefront" in text


# Metrics a documented exporter provides, by exporter: the services' metrics contract
# (README, Monitoring), CloudNativePG's exporter, kube-state-metrics and the kubelet.
EXPORTED = {
    "http_requests_total", "http_request_duration_seconds_bucket", "http_request_duration_seconds_count",
    "cnpg_backends_total", "cnpg_pg_database_size_bytes", "cnpg_pg_replication_lag",
    "kube_resourcequota", "kube_pod_status_ready",
    "kubelet_volume_stats_available_bytes", "kubelet_volume_stats_capacity_bytes",
}


def metric_names(node):
    """The metric names of every vector selector in a promql-parser AST."""
    if node is None or isinstance(node, (str, int, float, bool)):
        return set()
    if isinstance(node, (list, tuple)):
        return set().union(*[metric_names(n) for n in node]) if node else set()
    if type(node).__name__ == "VectorSelector":
        return {node.name}
    out = set()
    for attr in ("args", "expr", "lhs", "rhs", "param", "vector_selector"):
        if hasattr(node, attr):
            out |= metric_names(getattr(node, attr))
    return out


@pytest.mark.parametrize("example", EXAMPLES)
def test_dashboards_parse_and_name_only_known_metrics(rendered, example):
    import json
    import promql_parser
    out = rendered[example]
    recorded = set()
    for _, d in objects(out, "PrometheusRule"):
        for g in d["spec"]["groups"]:
            recorded |= {r["record"] for r in g["rules"] if "record" in r}
    known = recorded | EXPORTED
    dashboards = [(f, d) for f, d in objects(out, "ConfigMap") if d["metadata"].get("labels", {}).get("grafana_dashboard") == "1"]
    assert dashboards, f"{example} renders no dashboard"
    queries = 0
    for f, d in dashboards:
        for name, text in d["data"].items():
            board = json.loads(text)
            assert board["panels"], name
            for panel in board["panels"]:
                for target in panel["targets"]:
                    ast = promql_parser.parse(target["expr"])  # raises on a query that does not parse
                    names = metric_names(ast)
                    assert names, target["expr"]
                    assert names <= known, (f, panel["title"], names - known)
                    queries += 1
    assert queries > 0
    # The walker really finds selectors (guards against a parser API change hiding every name).
    assert metric_names(promql_parser.parse('sum(rate(a_total{x="1"}[5m])) / b')) == {"a_total", "b"}
