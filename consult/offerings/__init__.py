"""The community service list (社区服务清单): providers, services with opening hours, the 15-minute circle (docs/offerings.md)."""
