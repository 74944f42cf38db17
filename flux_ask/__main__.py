from flux_ask.cli import main

raise SystemExit(main())
