"""bench.png: each scenario's req/s as a share of hello, per dataset, with its target."""
import matplotlib

matplotlib.use("Agg")  # no screen needed
import matplotlib.pyplot as plt  # noqa: E402


def draw(results, path):
    blocks = {f"{database} {name}": block for database, runs in results["runs"].items()
              for name, block in runs.items()}
    names = list(blocks)
    scenarios = [s for s in next(iter(blocks.values()))["scenarios"] if s != "hello"]
    width = 0.8 / max(len(names), 1)
    fig, ax = plt.subplots(figsize=(10, 4.5))
    for i, name in enumerate(names):
        block = blocks[name]["scenarios"]
        ratios = [block.get(s, {}).get("rps_ratio", 0) for s in scenarios]
        xs = [x + i * width for x in range(len(scenarios))]
        ax.bar(xs, ratios, width, label=name)
    first = next(iter(blocks.values()))["scenarios"]
    for x, s in enumerate(scenarios):
        target = first[s].get("target_rps_ratio")
        if target:
            ax.hlines(target, x - width / 2, x + width * (len(names) - 0.5), colors="black",
                      linestyles="dashed")
    ax.set_xticks([x + width * (len(names) - 1) / 2 for x in range(len(scenarios))])
    ax.set_xticklabels(scenarios, rotation=10)
    ax.set_ylabel("req/s as a share of hello (dashed: target)")
    ax.set_title("Registrar vs bare Flask, gunicorn 2 workers, wrk on loopback")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
