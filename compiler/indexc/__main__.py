from indexc.launch import main

main()
