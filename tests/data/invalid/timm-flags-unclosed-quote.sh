./distributed_train.sh 2 --sched 'cosine --epochs 10
