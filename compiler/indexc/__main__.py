from indexc.cli import main

main()
