"""The local AWS: moto (pinned) plus in-process extensions; see infra.local.server."""
