from samvad.cli import main

raise SystemExit(main())
