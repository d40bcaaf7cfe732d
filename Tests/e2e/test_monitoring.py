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
    for f in sorted([*out.glob("*/*/*.yaml"), *out.glob("*/_cluster.yaml")]):
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
        p = tmp / ("-".join(f.relative_to(out).with_suffix("").parts) + f"-{d['metadata']['namespace']}-{d['metadata']['name']}.yaml")
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


def scrape_labels(out, ns, monitor):
    """The target labels Prometheus (through the Prometheus Operator's ServiceMonitor
    relabelling) gives every series scraped by ServiceMonitor `monitor` of namespace `ns`:
    namespace, service, endpoint (the port name), pod, container, instance and job (the
    Service's name unless `jobLabel` names a Service label)."""
    sm = next(d for _, d in objects(out, "ServiceMonitor")
              if d["metadata"]["namespace"] == ns and d["metadata"]["name"] == monitor)
    want = sm["spec"]["selector"]["matchLabels"]
    svc = next(d for _, d in objects(out, "Service") if d["metadata"]["namespace"] == ns
               and want.items() <= d["metadata"].get("labels", {}).items())
    port = sm["spec"]["endpoints"][0]["port"]
    number = next(p["port"] for p in svc["spec"]["ports"] if p.get("name") == port)
    job_label = sm["spec"].get("jobLabel")
    job = svc["metadata"]["labels"][job_label] if job_label else svc["metadata"]["name"]
    return {"namespace": ns, "service": svc["metadata"]["name"], "endpoint": port, "job": job,
            "pod": f"{svc['metadata']['name']}-7d9f8-abcde", "container": svc["metadata"]["name"],
            "instance": f"10.0.0.7:{number}"}


def labels_text(labels):
    return ", ".join(f'{k}="{v}"' for k, v in labels.items())


def ip_pool_series(name, scrape, full):
    """Series of the team server's pool gauges with the scrape's target labels; `full` meets
    the alert's condition, otherwise they are just short of it."""
    l = labels_text({**scrape, "pool": "pods"})
    if name == "IPPoolNearlyExhausted":
        return [{"series": f"berth_pool_used_addresses{{{l}}}", "values": ("950" if full else "900") + "x100"},
                {"series": f"berth_pool_capacity_addresses{{{l}}}", "values": "1000x100"}], "30m"
    return [{"series": f"berth_pool_largest_free_block_length{{{l}}}", "values": ("-1" if full else "24") + "x100"}], "10m"


def platform_case(name, expr, ns, out=None):
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
    if name == "DatabaseBaseBackupTooOld":
        limit = int(re.search(r"> (\d+)$", expr).group(1))
        pod = re.search(r'pod=~"([a-z0-9-]+)-\[0-9\]\+"', expr).group(1) + "-1"
        minutes = limit // 60 + 40
        return [{"series": f'cnpg_collector_last_available_backup_timestamp{{namespace="{ns}", pod="{pod}"}}', "values": f"0x{minutes + 10}"}], f"{minutes}m", {}
    if name == "NodePoolAtMaximum":
        group = re.search(r'node_group="([^"]+)"', expr).group(1)
        top = int(re.search(r">= (\d+)$", expr).group(1))
        return [{"series": f'cluster_autoscaler_node_group_target_count{{node_group="{group}"}}', "values": f"{top}x100"}], "1h", {}
    if name in ("IPPoolNearlyExhausted", "IPPoolExhausted"):
        # The series as the team server's ServiceMonitor delivers them.
        series, at = ip_pool_series(name, scrape_labels(out, ns, "berth-ipam"), full=True)
        return series, at, {"pool": "pods"}
    raise AssertionError(f"no test case for platform alert {name}")


def quiet_case(name, expr, ns, out=None):
    """Input series just short of an alert's condition (None: only the no-series case applies)."""
    if name == "DatabaseBaseBackupTooOld":
        limit = int(re.search(r"> (\d+)$", expr).group(1))
        pod = re.search(r'pod=~"([a-z0-9-]+)-\[0-9\]\+"', expr).group(1) + "-1"
        minutes = limit // 60 + 40
        # A base backup every hour: the newest is never more than an hour old.
        return [{"series": f'cnpg_collector_last_available_backup_timestamp{{namespace="{ns}", pod="{pod}"}}',
                 "values": " ".join(str((m // 60) * 3600) for m in range(minutes + 10))}], f"{minutes}m"
    if name == "NodePoolAtMaximum":
        group = re.search(r'node_group="([^"]+)"', expr).group(1)
        top = int(re.search(r">= (\d+)$", expr).group(1))
        return [{"series": f'cluster_autoscaler_node_group_target_count{{node_group="{group}"}}', "values": f"{top - 1}x100"}], "1h"
    if name in ("IPPoolNearlyExhausted", "IPPoolExhausted"):
        return ip_pool_series(name, scrape_labels(out, ns, "berth-ipam"), full=False)
    return None


@needs_promtool
@pytest.mark.parametrize("example", EXAMPLES)
def test_each_platform_alert_fires_on_its_condition(rendered, tmp_path, example):
    seen = set()
    for path, spec, ns in rule_files(rendered[example], tmp_path):
        for g in spec["groups"]:
            if g["name"] not in ("platform", "cluster"):
                continue
            tests = []
            for rule in g["rules"]:
                series, at, result = platform_case(rule["alert"], rule["expr"], ns, rendered[example])
                tests.append({"interval": "1m", "input_series": series, "alert_rule_test": [
                    {"eval_time": at, "alertname": rule["alert"],
                     "exp_alerts": [{"exp_labels": {**result, **rule["labels"]}, "exp_annotations": rule["annotations"]}]}]})
                # Without its condition (no series at all) the alert stays silent.
                tests.append({"interval": "1m", "input_series": [], "alert_rule_test": [
                    {"eval_time": at, "alertname": rule["alert"], "exp_alerts": []}]})
                # Just short of its condition, too.
                quiet = quiet_case(rule["alert"], rule["expr"], ns, rendered[example])
                if quiet:
                    tests.append({"interval": "1m", "input_series": quiet[0], "alert_rule_test": [
                        {"eval_time": quiet[1], "alertname": rule["alert"], "exp_alerts": []}]})
                seen.add(rule["alert"])
            promtool_test(tmp_path, path, tests, path.stem)
    if example == "acme":
        assert seen >= {"CertificateExpiresSoon", "DatabaseRecoveryPointBeyondRPO", "DatabaseWALArchivingFailing",
                        "VolumeFillsWithinADay", "HPAAtMaximum", "PodNotReady", "QuotaNearLimit",
                        "DatabaseBaseBackupTooOld", "NodePoolAtMaximum", "IPPoolNearlyExhausted", "IPPoolExhausted"}, seen


@needs_promtool
@pytest.mark.parametrize("example", EXAMPLES)
def test_ip_pool_alerts_follow_the_team_server(rendered, tmp_path, example):
    """The IP pool alerts exist only with `ipam.server` (acme's runs on prod-eu in
    acme-production), in the `berth-platform` rule of the server's namespace, owned by the
    platform team; they fire on the pool gauges as the server's ServiceMonitor delivers them
    and stay silent when the same gauges come from any other scrape (another job, another
    namespace)."""
    out = rendered[example]
    spec = yaml.safe_load((ROOT / "examples" / example / "platform.yaml").read_text())
    server = (spec.get("ipam") or {}).get("server")
    found = []
    for path, rules, ns in rule_files(out, tmp_path):
        for g in rules["groups"]:
            for rule in g["rules"]:
                if rule.get("alert", "").startswith("IPPool"):
                    found.append((path, g["name"], ns, rule))
    if not server:
        assert found == [], found
        return
    platform = f"{spec['platform']}-{server['environment']}"
    assert sorted(r["alert"] for _, _, _, r in found) == ["IPPoolExhausted", "IPPoolNearlyExhausted"]
    for path, group, ns, rule in found:
        assert path.name.startswith(f"{server['cluster']}-{platform}-") and ns == platform and group == "platform", (path, ns)
        assert rule["labels"]["team"] == spec["monitoring"]["platformTeam"], rule["labels"]
        assert rule["labels"]["namespace"] == ns
    path = found[0][0]
    scrape = scrape_labels(out, platform, "berth-ipam")
    tests = []
    for _, _, _, rule in found:
        series, at = ip_pool_series(rule["alert"], scrape, full=True)
        tests.append({"interval": "1m", "input_series": series, "alert_rule_test": [
            {"eval_time": at, "alertname": rule["alert"],
             "exp_alerts": [{"exp_labels": {"pool": "pods", **rule["labels"]}, "exp_annotations": rule["annotations"]}]}]})
        for foreign in ({**scrape, "job": "pool-exporter"}, {**scrape, "namespace": "elsewhere"}):
            series, at = ip_pool_series(rule["alert"], foreign, full=True)
            tests.append({"interval": "1m", "input_series": series, "alert_rule_test": [
                {"eval_time": at, "alertname": rule["alert"], "exp_alerts": []}]})
    promtool_test(tmp_path, path, tests, "ip-pools-" + path.stem)


def test_scrapes_are_admitted_to_exactly_the_metrics_ports(rendered):
    out = rendered["acme"]
    monitors = {(d["metadata"]["namespace"], d["metadata"]["name"]): d for _, d in objects(out, "ServiceMonitor")}
    assert ("acme-production", "web") in monitors
    checked = 0
    gateways = 0
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
                elif name == "gateway-data-plane":
                    # NGINX Agent's metrics on the Gateway's NGINX pods, scraped by a PodMonitor.
                    assert ports == [9113], (f, ports)
                    pm = next(m for _, m in objects(out, "PodMonitor")
                              if m["metadata"]["namespace"] == d["metadata"]["namespace"] and m["metadata"]["name"] == "gateway-data-plane")
                    assert pm["spec"]["selector"]["matchLabels"] == d["spec"]["podSelector"]["matchLabels"]
                    assert pm["spec"]["podMetricsEndpoints"][0]["port"] == "metrics"
                    gateways += 1
                else:
                    assert ports == [9090], (f, ports)
                    sm = monitors[(d["metadata"]["namespace"], name)]
                    assert sm["spec"]["endpoints"][0]["port"] == "metrics"
                checked += 1
    assert checked > 10
    assert gateways >= 3, "every acme environment with public routes has a Gateway whose data plane is scraped"
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
    # kube-state-metrics: nodes.
    "kube_node_info",
    # NGINX Gateway Fabric's data plane with NGINX Open Source (NGINX Agent; docs.nginx.com,
    # NGINX Gateway Fabric, "Monitoring with Prometheus and Grafana").
    "nginx_http_requests_total", "nginx_http_connections_total", "nginx_http_connection_count_connections",
    # ingress-nginx's controller (kubernetes.github.io/ingress-nginx, user guide, monitoring).
    "nginx_ingress_controller_requests", "nginx_ingress_controller_request_duration_seconds_bucket",
    # cluster-autoscaler with --emit-per-nodegroup-metrics (its FAQ, "metrics").
    "cluster_autoscaler_node_group_target_count", "cluster_autoscaler_node_group_max_count",
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


def service_ports(svc):
    return {p.get("name") for p in svc["spec"].get("ports", [])}


def pod_templates(out, ns):
    """(labels, container port names) of every pod template of namespace `ns`."""
    for kind in ("Deployment", "StatefulSet", "DaemonSet"):
        for _, d in objects(out, kind):
            if d["metadata"]["namespace"] == ns:
                t = d["spec"]["template"]
                ports = {p.get("name") for c in t["spec"]["containers"] for p in c.get("ports", [])}
                yield t["metadata"].get("labels", {}), ports


def addon_destinations(out):
    """{(cluster, add-on): (namespace, release name)} from the add-on Applications."""
    found = {}
    for f in sorted(out.glob("addons/*/*.yaml")):
        for d in yaml.safe_load_all(f.read_text()):
            if d and d.get("kind") == "Application":
                helm = d["spec"].get("source", {}).get("helm", {})
                found[(f.parent.name, f.stem)] = (d["spec"]["destination"]["namespace"], helm.get("releaseName"))
    return found


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_monitor_selects_what_the_render_makes(rendered, example):
    """Each ServiceMonitor and PodMonitor berth renders selects, in its namespace, a Service or
    pods the render makes (or the add-on chart's pods in the add-on's namespace), on a port name
    they have."""
    out = rendered[example]
    addons = addon_destinations(out)
    checked = 0
    for f, m in [*objects(out, "ServiceMonitor"), *objects(out, "PodMonitor")]:
        cluster = f.relative_to(out).parts[0]
        ns = m["metadata"]["namespace"]
        want = m["spec"]["selector"]["matchLabels"]
        if m["kind"] == "ServiceMonitor":
            port = m["spec"]["endpoints"][0]["port"]
            services = [d for _, d in objects(out, "Service") if d["metadata"]["namespace"] == ns
                        and want.items() <= d["metadata"].get("labels", {}).items()]
            assert services, (f, m["metadata"]["name"], "selects no Service")
            assert all(port in service_ports(s) for s in services), (f, m["metadata"]["name"], port)
        else:
            port = m["spec"]["podMetricsEndpoints"][0]["port"]
            if "gateway.networking.k8s.io/gateway-name" in want:
                # NGINX Gateway Fabric makes the data plane pods of each Gateway in its namespace
                # (container port `metrics`, 9113).
                gws = [d for _, d in objects(out, "Gateway") if d["metadata"]["namespace"] == ns
                       and d["metadata"]["name"] == want["gateway.networking.k8s.io/gateway-name"]]
                assert gws and port == "metrics", (f, m["metadata"]["name"])
            elif "cnpg.io/poolerName" in want:
                poolers = [d for _, d in objects(out, "Pooler") if d["metadata"]["namespace"] == ns
                           and d["metadata"]["name"] == want["cnpg.io/poolerName"]]
                assert poolers and port == "metrics", (f, m["metadata"]["name"])
            elif "app.kubernetes.io/instance" in want:
                # An add-on's pods: the Application of that release installs into this namespace.
                release = want["app.kubernetes.io/instance"]
                assert addons.get((cluster, release)) == (ns, release), (f, m["metadata"]["name"], addons.get((cluster, release)))
                assert port == "metrics"
            else:
                pods = [ports for labels, ports in pod_templates(out, ns) if want.items() <= labels.items()]
                assert pods, (f, m["metadata"]["name"], "selects no pods")
                assert all(port in p for p in pods), (f, m["metadata"]["name"], port)
        checked += 1
    if example == "acme":
        assert checked > 10, checked
        names = {m["metadata"]["name"] for _, m in objects(out, "PodMonitor")}
        assert {"gateway-data-plane", "nginx-gateway-fabric"} <= names, names


@pytest.mark.parametrize("example", EXAMPLES)
def test_addons_turn_on_their_charts_monitors(rendered, example):
    """Where the chart makes its own ServiceMonitor or PodMonitor, the add-on's values enable it."""
    out = rendered[example]
    switches = {
        "cert-manager": ("prometheus", "servicemonitor", "enabled"),
        "external-dns": ("serviceMonitor", "enabled"),
        "external-secrets": ("serviceMonitor", "enabled"),
        "ingress-nginx": ("controller", "metrics", "serviceMonitor", "enabled"),
        "cloudnative-pg": ("monitoring", "podMonitorEnabled"),
        "velero": ("metrics", "serviceMonitor", "enabled"),
        "cluster-autoscaler": ("serviceMonitor", "enabled"),
        "metallb": ("prometheus", "serviceMonitor", "enabled"),
        "longhorn": ("metrics", "serviceMonitor", "enabled"),
        "metrics-server": ("serviceMonitor", "enabled"),
        "falco": ("serviceMonitor", "create"),
        "vertical-pod-autoscaler": ("recommender", "podMonitor", "enabled"),
        "minio": ("metrics", "serviceMonitor", "enabled"),
    }
    # Switches the chart needs beside the monitor's own before it makes it (or makes it work).
    also = {
        "metrics-server": [(("metrics", "enabled"), True)],
        "falco": [(("metrics", "enabled"), True)],
        # The chart's Role for Prometheus needs Prometheus's ServiceAccount by name.
        "metallb": [(("prometheus", "rbacPrometheus"), False)],
    }
    # berth's NetworkPolicies, by cluster and namespace: a chart's monitor scrapes its own
    # namespace, so where berth renders policies there they must admit the monitoring namespace.
    policies = {}
    for f, d in objects(out, "NetworkPolicy"):
        policies.setdefault((f.relative_to(out).parts[0], d["metadata"]["namespace"]), []).append(d)
    seen = set()
    for f in sorted(out.glob("addons/*/*.yaml")):
        if f.stem not in switches:
            continue
        app = yaml.safe_load(f.read_text())
        values = app["spec"]["source"]["helm"]["valuesObject"]
        for path, want in [(switches[f.stem], True), *also.get(f.stem, [])]:
            v = values
            for k in path:
                v = v[k]
            assert v is want, (f, path)
        if f.stem == "vertical-pod-autoscaler":
            # The updater's PodMonitor where the updater runs.
            updater = values["updater"]
            assert updater.get("podMonitor", {}).get("enabled", False) is updater["enabled"], (f, updater)
        ns = app["spec"]["destination"]["namespace"]
        for d in policies.get((f.parent.name, ns), []):
            assert "monitoring" in str(d["spec"].get("ingress", [])), (f, ns, d["metadata"]["name"])
        seen.add(f.stem)
    if example == "acme":
        assert {"cert-manager", "external-dns", "cloudnative-pg", "velero", "cluster-autoscaler", "metrics-server",
                "falco", "vertical-pod-autoscaler"} <= seen, seen
    if example == "onprem":
        assert {"ingress-nginx", "metallb", "longhorn", "minio", "metrics-server"} <= seen, seen
    if example == "onprem-mesh":
        assert {"metallb", "minio", "falco", "vertical-pod-autoscaler"} <= seen, seen
